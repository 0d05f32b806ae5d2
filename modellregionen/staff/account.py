"""Login, second factor and the own account: recovery codes and the API token.

The password step is Django's LoginView with the per-address limit of
regions.login_limits; the second step asks for a code from the authenticator app or a
recovery code (django-otp, which also slows down guessing per device).
"""

import base64
import datetime as dt

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from modellregionen.second_factor import has_second_factor, needs_verification, requires_second_factor
from modellregionen.staff.access import staff_view
from regions import login_limits

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator-App"
RECOVERY_DEVICE_NAME = "Wiederherstellungscodes"


def _next_url(request, default: str = "/intern/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


class StaffLoginForm(AuthenticationForm):
    # Django's German text ("Bitte einen gültigen Benutzername und ein Passwort eingeben") reads
    # as if the fields were empty; after a wrong password the user needs to hear that it was wrong.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "Benutzername oder Passwort stimmt nicht. Bitte prüfen Sie beide; Groß- und Kleinschreibung zählt."
        ),
    }


class StaffLoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = False

    def post(self, request, *args, **kwargs):
        if login_limits.address_is_blocked(request):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _(
                    "Von Ihrer Adresse gab es zu viele fehlgeschlagene Anmeldungen. "
                    "Bitte versuchen Sie es in einer Stunde erneut."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        login_limits.record_failure(self.request)
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if needs_verification(user):
            step = "second-factor-verify" if has_second_factor(user) else "second-factor-setup"
            return redirect(f"{reverse(step)}?{urlencode({'next': self.get_success_url()})}")
        return response


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        help_text=gettext_lazy("Sechs Ziffern aus der Authenticator-App, oder einer Ihrer Wiederherstellungscodes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


@login_required
def second_factor_verify(request):
    """The second step of the login: a code from the app or a recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not has_second_factor(request.user):
        return redirect("second-factor-setup")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        device = form.is_valid() and match_token(request.user, form.cleaned_data["code"].replace(" ", ""))
        if device:
            # A new session id for the verified session: the password-only one may have been fixed by someone.
            request.session.cycle_key()
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(request, _("Wiederherstellungscode verwendet; es bleiben %(left)d.") % {"left": left})
            return redirect(_next_url(request))
        login_limits.record_failure(request)
        form.add_error("code", _("Dieser Code stimmt nicht oder ist abgelaufen."))
        status = 400
    return render(request, "staff/second_factor_verify.html", {"form": form, "next": _next_url(request)}, status=status)


def _qr_data_uri(uri: str) -> str:
    """The QR code of the key as an SVG data URI (the CSP allows data: images; no image service)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff", border=4)


def _new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones; shown once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    for code in codes:
        device.token_set.create(token=code)
    return codes


@login_required
def second_factor_setup(request):
    """Set up the authenticator app: scan, confirm with a code, get the recovery codes once."""
    if has_second_factor(request.user) and not request.user.is_verified():
        return redirect("second-factor-verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=APP_DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
                device.confirmed = True
                device.save()
                codes = _new_recovery_codes(request.user)
            request.session.cycle_key()
            otp_login(request, device)
            context = {"codes": codes, "next": _next_url(request)}
            return render(request, "staff/recovery_codes.html", context)
        form.add_error("code", _("Dieser Code stimmt nicht; bitte geben Sie den aktuellen Code aus der App ein."))
        status = 400
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "qr": _qr_data_uri(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": requires_second_factor(request.user),
        "replacing": has_second_factor(request.user),
        "next": _next_url(request),
    }
    return render(request, "staff/second_factor_setup.html", context, status=status)


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


@staff_view
def account(request):
    """The own account: second factor, recovery codes, the API token."""
    token = Token.objects.filter(user=request.user).first()
    context = {
        "has_second_factor": has_second_factor(request.user),
        "required": requires_second_factor(request.user),
        "recovery_codes_left": StaticToken.objects.filter(
            device__user=request.user, device__name=RECOVERY_DEVICE_NAME
        ).count(),
        "token": token,
        "token_expires_at": token_expires_at(token) if token else None,
        "token_expired": token is not None and token_expires_at(token) <= timezone.now(),
        "lifetime_days": settings.API_TOKEN_LIFETIME_DAYS,
    }
    return render(request, "staff/account.html", context)


@require_POST
@staff_view
def recovery_codes_renew(request):
    if not has_second_factor(request.user):
        return redirect("second-factor-setup")
    return render(
        request, "staff/recovery_codes.html", {"codes": _new_recovery_codes(request.user), "next": "/intern/konto/"}
    )


@require_POST
@staff_view
def api_token_create(request):
    """A new API token (the old one stops working); its key is shown once."""
    Token.objects.filter(user=request.user).delete()
    token = Token.objects.create(user=request.user)
    return render(
        request,
        "staff/api_token.html",
        {"key": token.key, "expires_at": token_expires_at(token), "lifetime_days": settings.API_TOKEN_LIFETIME_DAYS},
    )


@require_POST
@staff_view
def api_token_revoke(request):
    Token.objects.filter(user=request.user).delete()
    messages.success(request, _("Ihr API-Token ist widerrufen; er gilt ab sofort nicht mehr."))
    return redirect("staff-account")
