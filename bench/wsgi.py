"""The benchmark server's WSGI application: the app, plus the floor on a handler without middleware.

`/bench/floor/` is what issue 18 measures against: the cheapest Django view, a constant JSON
object, with no middleware at all. Every other path is the app's own application
(modellregionen.wsgi), lean read path included, on the same gunicorn in the same run.
"""

from modellregionen.wsgi import MiddlewareListHandler
from modellregionen.wsgi import application as app_application

FLOOR_PATH = "/bench/floor/"

floor_handler = MiddlewareListHandler([])


def application(environ, start_response):
    handler = floor_handler if environ.get("PATH_INFO") == FLOOR_PATH else app_application
    return handler(environ, start_response)
