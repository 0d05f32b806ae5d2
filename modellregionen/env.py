"""Strict readers for environment variables.

A bad value stops start-up with a message that names the variable, instead of
silently falling back to a default that runs the app in a way nobody asked for.
"""

import math
import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"True", "true", "1"}
FALSE_WORDS = {"False", "false", "0"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"Unexpected value {name}={raw}, use True or False")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"Unexpected value {name}={raw}, use a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"Unexpected value {name}={raw}, use a number >= {minimum}")
    return value


def env_seconds(name: str, default: float) -> float:
    """A duration in seconds, whole or with a decimal point (0.25), never negative."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"Unexpected value {name}={raw}, use a number of seconds such as 0.25") from None
    if not math.isfinite(value) or value < 0:
        raise ImproperlyConfigured(f"Unexpected value {name}={raw}, use a number of seconds >= 0")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, *, schemes: set[str]) -> str:
    """Return the URL in `name`, or "" if unset; refuse other schemes or a URL without host."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    parsed = urlparse(raw)
    if parsed.scheme not in schemes or not (parsed.hostname or parsed.path):
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"Unexpected value {name}={raw}, use a URL starting with {allowed}://")
    return raw
