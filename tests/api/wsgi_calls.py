"""Run requests through the WSGI application itself, as gunicorn does, in a test's transaction."""

import contextlib

from django.core import signals
from django.db import close_old_connections
from django.test import RequestFactory

# Headers that differ between any two answers, whatever handler made them.
VOLATILE = {"Date"}


@contextlib.contextmanager
def _connection_kept_open():
    # A real handler closes the database connection after each request, which would end the
    # test's transaction; Django's own test client lifts the same receivers.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def call(handler, path, method="GET", **headers):
    """Run one request through a WSGI handler: (status, headers without the volatile ones, body)."""
    environ = RequestFactory().generic(method, path, **headers).environ
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = status
        answer["headers"] = sorted((name, value) for name, value in response_headers if name not in VOLATILE)

    with _connection_kept_open():
        chunks = handler(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
    return answer["status"], answer["headers"], body
