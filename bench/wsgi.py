"""The benchmark server's WSGI application: the app, plus the floor on a handler without middleware.

`/bench/floor/` is what the goals measure against: the cheapest Django view, a constant JSON
object, with no middleware at all. Every other path is the app's own application
(modellregionen.wsgi), on the same gunicorn in the same run.
"""

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

from modellregionen.wsgi import application as app_application

FLOOR_PATH = "/bench/floor/"


class NoMiddlewareHandler(WSGIHandler):
    """A Django handler built with no middleware at all."""

    def load_middleware(self, is_async=False):
        # Django builds the chain from settings.MIDDLEWARE; this runs once, before any request.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = []
        try:
            super().load_middleware(is_async=is_async)
        finally:
            settings.MIDDLEWARE = full


floor_handler = NoMiddlewareHandler()


def application(environ, start_response):
    handler = floor_handler if environ.get("PATH_INFO") == FLOOR_PATH else app_application
    return handler(environ, start_response)
