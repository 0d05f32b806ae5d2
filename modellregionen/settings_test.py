"""Test-only speed-ups on top of the real settings."""

import os
from urllib.parse import urlsplit, urlunsplit


def _own_redis_database(url: str, worker: str) -> str:
    """Under `pytest -n`, worker gwN uses Redis database base + N: its own cache, throttles and Celery queue.

    pytest-django gives each worker its own test database in the same way (suffix _gwN).
    """
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{database}"))


if os.environ.get("REDIS_URL") and os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["REDIS_URL"] = _own_redis_database(os.environ["REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"])

from modellregionen.settings import *  # noqa: E402, F403
from modellregionen.settings import CACHES, REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # noqa: F811
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests run tasks in-process; the services tests switch to the real worker themselves.
CELERY_TASK_ALWAYS_EAGER = True
