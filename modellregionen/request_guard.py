"""The first middleware: limits and headers every request and answer gets, on every path.

- A request body larger than MAX_REQUEST_BYTES is refused with 413 before anything reads it
  (Django would otherwise write a large multipart upload to disk before CSRF refuses it).
- A path or query string with a NUL byte or another control character is a 400: no URL of
  this site has one, and a database refuses NUL in a string (a 500 otherwise).
- Forwarded headers (X-Forwarded-Proto, -Host, -Port, -For) count only when the request comes
  from a proxy in TRUSTED_PROXIES; from anyone else they are dropped, so a client cannot make
  Django believe it came over HTTPS or from another address.
- Staff answers (/intern/, /admin/) are sent with `Cache-Control: no-store`: they carry
  personal data and must not stay in a browser's or a proxy's cache.
"""

import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from modellregionen.client_ip import is_trusted_proxy

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_FOR")
PRIVATE_PREFIXES = ("/intern/", "/admin/")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain(status: int, text: str) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _field_with_control_characters(request) -> str | None:
    """The URL part with a control character: "path", or the query parameter's name; None if clean."""
    if _CONTROL.search(request.path_info) or _CONTROL.search(request.path):
        return "path"
    for name, values in request.GET.lists():
        if _CONTROL.search(name) or any(_CONTROL.search(value) for value in values):
            return _CONTROL.sub("", name) or "query"
    return None


def _bad_url(request, field: str) -> HttpResponse:
    message = "Die Adresse enthält unzulässige Steuerzeichen."
    if request.path_info.startswith("/api/"):
        # The API's error format, naming the parameter (modellregionen.api.errors).
        response = JsonResponse({"detail": f"{message} ({field})", "errors": {field: [message]}}, status=400)
        response["Cache-Control"] = "no-store"
        return response
    return _plain(400, message)


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if not is_trusted_proxy(meta.get("REMOTE_ADDR", "")):
            for name in FORWARDED_HEADERS:
                meta.pop(name, None)
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain(400, "Ungültige Angabe Content-Length.")
        if length > settings.MAX_REQUEST_BYTES:
            return _plain(
                413,
                f"Die Anfrage ist zu groß (höchstens {settings.MAX_REQUEST_BYTES // (1024 * 1024)} MB).",
            )
        field = _field_with_control_characters(request)
        if field is not None:
            return _bad_url(request, field)
        response = self.get_response(request)
        # path_info: what the URL resolver routes on, whatever SCRIPT_NAME a client or server set.
        if request.path_info.startswith(PRIVATE_PREFIXES):
            response["Cache-Control"] = "no-store"
        return response
