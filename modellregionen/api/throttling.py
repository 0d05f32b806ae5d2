"""Rate limit for anonymous clients (setting API_ANON_RATE); staff are never limited."""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from modellregionen import roles

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/minute" -> (120, 60)."""
    number, period = rate.split("/")
    return int(number), PERIODS[period[0]]


class AnonymousRateThrottle(BaseThrottle):
    """A fixed window per client IP, counted with one cache increment per request.

    One round trip to the cache keeps the limit cheap enough for the busiest endpoint;
    users with a staff role pass without being counted.
    """

    def allow_request(self, request, view) -> bool:
        user = request.user
        if roles.is_staff_member(user) or getattr(user, "is_superuser", False):
            return True
        # Read at request time, so a changed setting takes effect at once.
        limit, period = parse_rate(settings.API_ANON_RATE)
        now = time.time()
        window = int(now // period)
        self.wait_seconds = period - (now % period)
        key = f"api-throttle:{self.get_ident(request)}:{period}:{window}"
        try:
            count = cache.incr(key)
        except ValueError:  # the first request of this window
            count = 1 if cache.add(key, 1, timeout=period + 1) else cache.incr(key)
        return count <= limit

    def wait(self) -> float:
        return self.wait_seconds
