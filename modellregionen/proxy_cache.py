"""What the reverse proxy may keep: one header on every answer, decided where the answer is made.

The proxy of a deployment (deploy/nginx) keeps an answer only when the application says so
with `X-Accel-Expires: <seconds>`; it ignores Cache-Control and Expires for its own cache, and
removes the header before the answer reaches a client. An answer is kept for
PROXY_CACHE_SECONDS when

- it is a GET or HEAD 200, neither streamed (a complete download) nor under /intern/ or /admin/;
- the request named no user: no session cookie, no Authorization header; and
- the answer sets no cookie and is not marked private, no-cache or no-store.

Every other answer carries `X-Accel-Expires: 0`: the proxy passes it on and keeps nothing. The
proxy also refuses on its own to keep anything for a request with a session cookie or an
Authorization header, or under /intern/ and /admin/, so a mistake here is not enough to leak
a staff answer. Kept answers vary on what their Vary header names (Accept, Cookie, Origin …).
"""

from django.conf import settings

from modellregionen.request_guard import PRIVATE_PREFIXES  # the staff answers, sent with no-store

NOT_SHARED = ("private", "no-cache", "no-store")


def proxy_may_keep(request, response) -> bool:
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
        return False
    if request.path_info.startswith(PRIVATE_PREFIXES):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in NOT_SHARED)


class ProxyCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        seconds = settings.PROXY_CACHE_SECONDS if proxy_may_keep(request, response) else 0
        response["X-Accel-Expires"] = str(seconds)
        return response
