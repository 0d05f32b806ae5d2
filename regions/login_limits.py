"""Limits on password guessing that an attacker cannot turn against a colleague.

- Per account and address (django-axes): five wrong passwords for one account from one address
  lock that pair; the lock lasts one minute and doubles with every further round of failures
  from that address, up to an hour (`cool_off`). Someone elsewhere is not locked: an attacker
  can lock out only themselves, never a colleague's account.
- Per address (here): more than LOGIN_ADDRESS_FAILURE_LIMIT wrong passwords from one address
  within an hour, whatever the accounts, refuse further attempts from it for the rest of that
  hour. That bounds password spraying (one common password against many accounts).

The client address is modellregionen.client_ip (X-Forwarded-For only from TRUSTED_PROXIES).
Failures are rows in the database (regions.LoginFailure), so every app server shares them and
the limit holds while the cache (Redis) is down.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from modellregionen.client_ip import client_ip
from regions.models import LoginFailure

WINDOW_SECONDS = 3600
LONGEST_LOCK = dt.timedelta(hours=1)


def _window_start():
    return timezone.now() - dt.timedelta(seconds=WINDOW_SECONDS)


def address_failures(request) -> int:
    return LoginFailure.objects.filter(address=client_ip(request), at__gte=_window_start()).count()


def address_is_blocked(request) -> bool:
    return address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def record_failure(request) -> None:
    address = client_ip(request)
    # Failures older than the window count no more: the address's own old rows go as new ones come.
    LoginFailure.objects.filter(address=address, at__lt=_window_start()).delete()
    LoginFailure.objects.create(address=address, at=timezone.now())


def cool_off(request=None) -> dt.timedelta:
    """How long an account is locked for an address: 1 minute, doubling per round of failures, at most 1 hour."""
    if request is None:
        return LONGEST_LOCK
    rounds = max(address_failures(request) // settings.AXES_FAILURE_LIMIT, 1)
    return min(dt.timedelta(minutes=2 ** (rounds - 1)), LONGEST_LOCK)
