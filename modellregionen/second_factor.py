"""Second factor (TOTP from an authenticator app, with recovery codes) through django-otp.

Required for Freigabe, Administration and superusers, optional for everyone else; once someone
has set one up it is asked for at every login. A password alone then reaches only the pages
that set up or ask for the second factor (and logout): `SecondFactorMiddleware` stops such a
session at /intern/ and /admin/ and refuses it on the API (403). Tokens for the API are made
on the account page, which needs the second factor first, and they expire (API_TOKEN_LIFETIME_DAYS).
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice

from modellregionen import roles

STAFF_PREFIXES = ("/intern/", "/admin/")


def requires_second_factor(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(roles.roles_of(user) & {roles.APPROVER, roles.ADMINISTRATION})


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def needs_verification(user) -> bool:
    """Logged in with the password only, where a second factor is required or set up."""
    if not user.is_authenticated:
        return False
    # django-otp's middleware adds is_verified to request.user; a user fresh from a form has none.
    if getattr(user, "is_verified", lambda: False)():
        return False
    return requires_second_factor(user) or has_second_factor(user)


def _free_paths() -> tuple[str, ...]:
    """Pages a password-only session may use: login, logout, the second-factor pages."""
    return ("/intern/anmelden/", "/intern/abmelden/", "/intern/anmelden/code/", "/intern/konto/zweiter-faktor/")


class SecondFactorMiddleware:
    """After django_otp's OTPMiddleware: no staff page and no API write on a password alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # No session, no password-only login to stop; and no session read (no "Vary: Cookie").
            return self.get_response(request)
        # path_info, not path: the URL resolver routes on it, and path carries any SCRIPT_NAME prefix.
        path = request.path_info
        if (
            path.startswith(STAFF_PREFIXES)
            and path not in _free_paths()
            and not path.startswith("/intern/passwort/")
            and needs_verification(request.user)
        ):
            target = "second-factor-verify" if has_second_factor(request.user) else "second-factor-setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        if path.startswith("/api/") and needs_verification(request.user):
            return JsonResponse(
                {"detail": "Bitte melden Sie sich mit dem zweiten Faktor an (/intern/anmelden/code/)."}, status=403
            )
        return self.get_response(request)
