"""The WSGI application: the full Django handler, and a lean one for anonymous reads of the API.

An anonymous GET or HEAD under /api/ (no session cookie, no Authorization header) is the
journalists' and scripts' request, and the most frequent one. It goes to a second Django
handler whose middleware is settings.API_READ_MIDDLEWARE: the same stack without sessions,
CSRF, authentication, messages, history and login-lockout bookkeeping, none of which an
anonymous read uses. Views, URLs, throttling, error pages and every header are the same;
tests/api/test_lean_read_path.py compares both handlers' answers. Anything else (a user, a
write, a preflight, a page) goes through the full stack. In front of the lean handler,
modellregionen.api.replay sends a kept complete answer again while the state it was
answered in holds.
"""

import os

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modellregionen.settings")

API_PREFIX = "/api/"
READ_METHODS = ("GET", "HEAD")


def is_anonymous_api_read(environ) -> bool:
    """A read of the API by a client that names no user (no session cookie, no credentials)."""
    if environ.get("REQUEST_METHOD") not in READ_METHODS:
        return False
    if not environ.get("PATH_INFO", "").startswith(API_PREFIX):
        return False
    if "HTTP_AUTHORIZATION" in environ:
        return False
    cookies = environ.get("HTTP_COOKIE", "")
    return f"{settings.SESSION_COOKIE_NAME}=" not in cookies


class MiddlewareListHandler(WSGIHandler):
    """A Django handler built with `middleware` instead of settings.MIDDLEWARE."""

    def __init__(self, middleware: list[str]):
        self.middleware = middleware
        super().__init__()

    def load_middleware(self, is_async=False):
        # Django builds the chain from settings.MIDDLEWARE; this runs once, at start-up,
        # before any request, so swapping the list for the build is safe.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = self.middleware
        try:
            super().load_middleware(is_async=is_async)
        finally:
            settings.MIDDLEWARE = full


class Application:
    """Send anonymous API reads to the lean handler and everything else to the full one."""

    def __init__(self):
        self.full = get_wsgi_application()  # also sets Django up
        from modellregionen.api.replay import ReplayingHandler  # needs the apps loaded

        self.api_read = ReplayingHandler(
            MiddlewareListHandler(settings.API_READ_MIDDLEWARE), max_bytes=settings.API_RENDERED_BYTES
        )

    def __call__(self, environ, start_response):
        handler = self.api_read if is_anonymous_api_read(environ) else self.full
        return handler(environ, start_response)


application = Application()
