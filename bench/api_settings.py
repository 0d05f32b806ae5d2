"""Settings of the API benchmark server: the real settings plus a constant-JSON floor view."""

from modellregionen.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
