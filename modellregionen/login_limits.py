"""Limits on password guessing that an attacker cannot turn against a colleague.

- Per account and address (django-axes): five wrong passwords for one account from one address
  lock that pair; the lock lasts one minute and doubles with every further round of failures
  from that address, up to an hour (`cool_off`). Someone elsewhere is not locked: an attacker
  can lock out only themselves, never a colleague's account.
- Per address (here): more than LOGIN_ADDRESS_FAILURE_LIMIT wrong passwords from one address
  within an hour, whatever the accounts, refuse further attempts from it for the rest of that
  hour. That bounds password spraying (one common password against many accounts).

The client address is modellregionen.client_ip (X-Forwarded-For only from TRUSTED_PROXIES).
Counters live in the cache, which is Redis when REDIS_URL is set, so every app server shares them.
"""

import datetime as dt

from django.conf import settings
from django.core.cache import cache

from modellregionen.client_ip import client_ip

WINDOW_SECONDS = 3600
LONGEST_LOCK = dt.timedelta(hours=1)


def _key(request) -> str:
    return f"login-failures:{client_ip(request)}"


def address_failures(request) -> int:
    return int(cache.get(_key(request), 0))


def address_is_blocked(request) -> bool:
    return address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def record_failure(request) -> None:
    key = _key(request)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)


def cool_off(request=None) -> dt.timedelta:
    """How long an account is locked for an address: 1 minute, doubling per round of failures, at most 1 hour."""
    if request is None:
        return LONGEST_LOCK
    rounds = max(address_failures(request) // settings.AXES_FAILURE_LIMIT, 1)
    return min(dt.timedelta(minutes=2 ** (rounds - 1)), LONGEST_LOCK)
