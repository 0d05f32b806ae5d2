"""The client's address, the same for the login lockout, the API throttle and the form's rate limit.

Behind a reverse proxy every request comes from the proxy's address, and X-Forwarded-For is
whatever the client wrote unless a proxy we trust wrote it. So X-Forwarded-For is read only when
the request comes from a proxy named in TRUSTED_PROXIES (default: none), and then the client is
the rightmost address in it that is not itself a trusted proxy. Without trusted proxies the
client is REMOTE_ADDR, whatever the headers say.
"""

from django.conf import settings


def client_ip(request, *args, **kwargs) -> str:
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or ""
    trusted = settings.TRUSTED_PROXIES
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if not trusted or remote not in trusted or not forwarded:
        return remote
    for address in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if address not in trusted:
            return address
    return remote
