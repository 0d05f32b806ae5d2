"""Error pages that say what happened: 503 with Retry-After while the database is unreachable, 409
when another writer won.

Django calls `server_error` for any exception a view or middleware did not handle, while that
exception is being handled, so `sys.exc_info()` names it. A database that is restarting or
unreachable is a temporary outage, not a bug: the client gets 503 and when to try again (JSON
under /api/, a German page elsewhere), never a 500. The page is rendered without the database
(no context processors, no session).
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

from modellregionen.write_conflicts import CONFLICT_MESSAGE, WriteConflict, is_write_conflict

# Seconds after which a client may try again; a PostgreSQL restart takes a few.
RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def server_error(request, *args, **kwargs):
    error = sys.exc_info()[1]
    if is_write_conflict(error) or isinstance(error, WriteConflict):
        # Another writer won, after the retries a service makes, or inside a transaction that could
        # not be retried (the admin's): nothing was saved, and trying again will work. Not an outage.
        message = str(CONFLICT_MESSAGE)
        if _is_api(request):
            response = JsonResponse({"detail": message, "errors": {}}, status=409)
        else:
            response = HttpResponse(loader.get_template("409.html").render({"message": message}), status=409)
        response["Cache-Control"] = "no-store"
        return response
    if isinstance(error, DATABASE_ERRORS):
        if _is_api(request):
            response = JsonResponse(
                {
                    "detail": "Die Datenbank ist vorübergehend nicht erreichbar. Bitte versuchen Sie es "
                    f"in {RETRY_AFTER_SECONDS} Sekunden noch einmal.",
                    "errors": {},
                },
                status=503,
            )
        else:
            body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
            response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    if _is_api(request):
        return JsonResponse({"detail": "Interner Fehler. Er wurde protokolliert.", "errors": {}}, status=500)
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


def not_found(request, exception=None):
    """404: JSON in the API's error format under /api/, the site's German page elsewhere."""
    if request.path_info.startswith("/api/"):
        detail = "Diese Adresse gibt es in der API nicht; die Dokumentation steht unter /api/v1/docs/."
        return JsonResponse({"detail": detail, "errors": {}}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def bad_request(request, exception=None):
    """400 for what Django refuses before any view (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many
    fields): JSON in the API's error format under /api/, the site's page elsewhere."""
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
            detail = f"Die Anfrage ist zu groß: höchstens {limit} MB. Größere Mengen nimmt der Import (CSV) an."
        else:
            detail = "Die Anfrage ist ungültig."
        return JsonResponse({"detail": detail, "errors": {}}, status=400)
    from django.views.defaults import bad_request as page

    return page(request, exception)


def method_not_allowed(request, allowed: list[str]):
    """405 in the API's error format, naming the methods the address has."""
    detail = f"Die Methode {request.method} gibt es hier nicht; erlaubt: {', '.join(allowed)}."
    response = JsonResponse({"detail": detail, "errors": {}}, status=405)
    response["Allow"] = ", ".join(allowed)
    return response


def csrf_failure(request, reason=""):
    """A form or API write without a valid CSRF token: 403, JSON under /api/, the site's page elsewhere."""
    if _is_api(request):
        detail = (
            "Schreibzugriff ohne gültiges CSRF-Token; mit einem API-Token (Authorization: Token …) ist keins nötig."
        )
        return JsonResponse({"detail": detail, "errors": {}}, status=403)
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason=reason)
