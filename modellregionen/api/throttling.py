"""Rate limit for anonymous clients (setting API_ANON_RATE); staff are never limited.

The counts live in the shared cache (Redis in production) so that all workers see one
limit, but a worker does not ask the cache on every request: it keeps its own tally per
client and window and sends it to the cache in one increment at least once a second, and
on every request once the client has used half of its limit. A client far below its
limit therefore costs no round trip at all; near the limit every request is counted
centrally, as before.

The trade-off: before a worker has synchronised, it only knows its own share, so each
worker may admit up to half the limit on its own. With two workers (the default) that
still never exceeds the limit; with N workers a client may get up to N/2 times the limit
in one window. A request that would be refused always asks the cache first, so a stale
tally (for example after the cache was cleared) never refuses a client wrongly.
"""

import functools
import threading
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from modellregionen import roles
from modellregionen.client_ip import client_ip

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# How stale a worker's view of the shared count may get (seconds).
SYNC_SECONDS = 1.0
# Clients tallied per worker; beyond that every request is counted in the cache directly.
TALLIES_KEPT = 10_000
# Where a request already counted before Django ran carries its verdict (modellregionen.api.replay):
# a WSGI environ key, which no client header can set (those all start with HTTP_).
THROTTLE_VERDICT = "modellregionen.anonymous_throttle_verdict"


@functools.lru_cache(maxsize=16)
def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/minute" -> (120, 60)."""
    number, period = rate.split("/")
    return int(number), PERIODS[period[0]]


class _Tally:
    """One client's requests in one window, as this worker knows them."""

    __slots__ = ("pending", "seen", "synced_at")

    def __init__(self):
        self.seen = 0  # the shared count at the last synchronisation
        self.pending = 0  # requests admitted here since then, not yet in the shared count
        self.synced_at = 0.0


_tallies: dict[tuple, _Tally] = {}
_tallies_lock = threading.Lock()


def _count_shared(key: str, amount: int, period: int) -> int:
    """Add `amount` to the shared count of a window and return the new total."""
    try:
        return cache.incr(key, amount)
    except ValueError:  # the first request of this window
        if cache.add(key, amount, timeout=period + 1):
            return amount
        return cache.incr(key, amount)


def count_request(ident: str) -> tuple[bool, float]:
    """Count one anonymous request of `ident`: whether it is allowed, and the wait if not."""
    # Read at request time, so a changed setting takes effect at once.
    limit, period = parse_rate(settings.API_ANON_RATE)
    now = time.time()
    window = int(now // period)
    wait = period - (now % period)
    key = f"api-throttle:{ident}:{period}:{window}"
    tally_key = (ident, limit, period, window)
    with _tallies_lock:
        tally = _tallies.get(tally_key)
        if tally is None:
            if len(_tallies) >= TALLIES_KEPT:
                # Drop the tallies of past windows; their unsent requests no longer matter.
                for old in [k for k in _tallies if k[3] != int(now // k[2])]:
                    del _tallies[old]
            if len(_tallies) < TALLIES_KEPT:
                tally = _tallies[tally_key] = _Tally()
        if tally is not None:
            tally.pending += 1
            monotonic = time.monotonic()
            if tally.seen + tally.pending <= limit // 2 and monotonic - tally.synced_at < SYNC_SECONDS:
                return True, wait
            amount, tally.pending = tally.pending, 0
            tally.synced_at = monotonic
        else:
            amount = 1
    count = _count_shared(key, amount, period)
    if tally is not None:
        with _tallies_lock:
            tally.seen = count
    return count <= limit, wait


class AnonymousRateThrottle(BaseThrottle):
    """A fixed window per client IP; staff users pass without being counted."""

    def get_ident(self, request) -> str:
        """The client address, as for the login lockout (TRUSTED_PROXIES, modellregionen/client_ip.py)."""
        return client_ip(request)

    def allow_request(self, request, view) -> bool:
        # A request refused before Django ran (modellregionen.api.replay) was counted there.
        verdict = request.META.get(THROTTLE_VERDICT)
        if verdict is None:
            user = request.user
            if roles.is_staff_member(user) or getattr(user, "is_superuser", False):
                return True
            verdict = count_request(self.get_ident(request))
        allowed, self.wait_seconds = verdict
        return allowed

    def wait(self) -> float:
        return self.wait_seconds
