"""Demo logins for a local `make run`: one account per role, with known passwords and second factors.

Refused unless DEBUG=True: a deployment never gets accounts whose passwords are in the README.
Safe to repeat: the accounts are set back to the printed state each time.
"""

import base64

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from modellregionen import roles
from regions.models import Region, StaffProfile

DEMO_PASSWORD = "demo-modellregionen"  # noqa: S105 - printed on purpose, DEBUG only
# One shared demo secret (base32 "MODELLREGIONENDEMOSECRET") for the authenticator app.
DEMO_TOTP_KEY = base64.b32decode("MODELLREGIONENDEMOSECRET").hex()
DEMO_RECOVERY_CODES = ("demo1111", "demo2222", "demo3333")

ACCOUNTS = (
    ("demo-sachbearbeitung", "Sabine", "Sachbearbeitung", [roles.CLERK]),
    ("demo-freigabe", "Frank", "Freigabe", [roles.APPROVER]),
    ("demo-projektbuero", "Paula", "Projektbüro Soest", [roles.PROJECT_OFFICE]),
    ("demo-administration", "Ada", "Administration", [roles.ADMINISTRATION]),
    # A second administrator: giving a role takes two (regions.accounts).
    ("demo-administration-2", "Bodo", "Administration", [roles.ADMINISTRATION]),
)


class Command(BaseCommand):
    help = "Create one demo account per role (DEBUG=True only) and print how to log in."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo-Konten gibt es nur mit DEBUG=True, nie in einem Betrieb.")
        roles.ensure_role_groups()
        with transaction.atomic():
            for username, first_name, last_name, role_names in ACCOUNTS:
                self._account(username, first_name, last_name, role_names)
        code = totp(bytes.fromhex(DEMO_TOTP_KEY))
        lines = [
            "",
            "Demo-Anmeldungen (nur lokal, DEBUG=True) unter http://127.0.0.1:8000/intern/anmelden/",
            f"  Passwort für alle: {DEMO_PASSWORD}",
            *[f"  {username:<22} {', '.join(names)}" for username, _f, _l, names in ACCOUNTS],
            "  Zweiter Faktor (Freigabe, Administration): Schlüssel MODE LLRE GION ENDE MOSE CRET",
            f"    in einer Authenticator-App, oder einer der Wiederherstellungscodes {', '.join(DEMO_RECOVERY_CODES)}",
            f"    (jeder einmal je Aufruf dieses Befehls; der Code gerade eben: {code:06d})",
            "",
        ]
        self.stdout.write("\n".join(lines))

    def _account(self, username, first_name, last_name, role_names) -> None:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name, user.email = first_name, last_name, f"{username}@example.org"
        user.is_staff = roles.ADMINISTRATION in role_names
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set(Group.objects.filter(name__in=role_names))
        if roles.PROJECT_OFFICE in role_names:
            StaffProfile.objects.update_or_create(
                user=user, defaults={"region": Region.objects.filter(slug="soest").first()}
            )
        if roles.APPROVER in role_names or roles.ADMINISTRATION in role_names:
            TOTPDevice.objects.filter(user=user).delete()
            TOTPDevice.objects.create(user=user, name="Demo-App", key=DEMO_TOTP_KEY, confirmed=True)
            recovery, _made = StaticDevice.objects.get_or_create(user=user, name="Wiederherstellungscodes")
            recovery.token_set.all().delete()
            for code in DEMO_RECOVERY_CODES:
                recovery.token_set.create(token=code)
