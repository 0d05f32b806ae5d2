"""Rate limit for anonymous clients (setting API_ANON_RATE); staff are never limited.

One count per client and window in the shared cache (Redis in production), incremented on
every request that reaches the application: every worker and every app server sees the same
count, so the limit holds however many run. In front of it, the reverse proxy's `limit_req`
(deploy/nginx) turns away floods before they reach any worker and limits reads it answers
from its own cache; this is the limit the API documents and answers 429 for.
"""

import functools
import time

from django.conf import settings
from django.core.cache import cache, caches
from rest_framework.throttling import BaseThrottle

from modellregionen import roles
from modellregionen.cache import ResilientRedisCache
from modellregionen.client_ip import client_ip

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@functools.lru_cache(maxsize=16)
def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/minute" -> (120, 60)."""
    number, period = rate.split("/")
    return int(number), PERIODS[period[0]]


def count_request(ident: str) -> tuple[bool, float]:
    """Count one anonymous request of `ident`: whether it is allowed, and the wait if not."""
    # Read at request time, so a changed setting takes effect at once.
    limit, period = parse_rate(settings.API_ANON_RATE)
    now = time.time()
    window = int(now // period)
    key = f"api-throttle:{ident}:{period}:{window}"
    return _count(key, timeout=period + 1) <= limit, period - (now % period)


def _count(key: str, *, timeout: int) -> int:
    """The count of `key` after this request, in a window of `timeout` seconds."""
    shared = caches["default"]
    if isinstance(shared, ResilientRedisCache):
        return shared.count(key, timeout)
    # The file cache of the embedded default: no atomic counter, so a race may count one short.
    try:
        return cache.incr(key)
    except ValueError:  # the first request of this window
        return 1 if cache.add(key, 1, timeout=timeout) else cache.incr(key)


class AnonymousRateThrottle(BaseThrottle):
    """A fixed window per client IP; staff users pass without being counted."""

    def get_ident(self, request) -> str:
        """The client address, as for the login lockout (TRUSTED_PROXIES, modellregionen/client_ip.py)."""
        return client_ip(request)

    def allow_request(self, request, view) -> bool:
        user = request.user
        if roles.is_staff_member(user) or getattr(user, "is_superuser", False):
            return True
        allowed, self.wait_seconds = count_request(self.get_ident(request))
        return allowed

    def wait(self) -> float:
        return self.wait_seconds
