import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modellregionen.settings")

app = Celery("modellregionen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="modellregionen.ping")
def ping() -> str:
    """Answer "pong": lets tests and operators check that a worker executes tasks."""
    return "pong"
