"""The client's address, the same for the login lockout, the API throttle and the form's rate limit.

Behind a reverse proxy every request comes from the proxy's address, and X-Forwarded-For is
whatever the client wrote unless a proxy we trust wrote it. So X-Forwarded-For is read only when
the request comes from a proxy named in TRUSTED_PROXIES (addresses or networks such as
172.16.0.0/12; default: none), and then the client is the rightmost address in it that is not
itself a trusted proxy. Without trusted proxies the client is REMOTE_ADDR, whatever the headers say.
"""

import functools
import ipaddress

from django.conf import settings


@functools.lru_cache(maxsize=8)
def _networks(trusted: frozenset[str]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def is_trusted_proxy(address: str) -> bool:
    trusted = settings.TRUSTED_PROXIES
    if not trusted or not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(trusted))


def client_ip(request, *args, **kwargs) -> str:
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or ""
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if not forwarded or not is_trusted_proxy(remote):
        return remote
    for address in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not is_trusted_proxy(address):
            return address
    return remote
