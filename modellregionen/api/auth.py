"""API tokens that expire: a token older than API_TOKEN_LIFETIME_DAYS is refused like a wrong one.

A token is made (and replaced or revoked) by its owner on the account page (/intern/konto/),
behind the second factor; revoking deletes it, so it stops working at once.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token.created + dt.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS) <= timezone.now():
            raise exceptions.AuthenticationFailed(
                "Der API-Token ist abgelaufen; erzeugen Sie unter /intern/konto/ einen neuen."
            )
        return user, token
