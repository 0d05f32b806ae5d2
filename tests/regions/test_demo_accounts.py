"""`make run`'s demo logins: one per role, only with DEBUG=True, usable through the real login forms."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from regions.management.commands.create_demo_accounts import DEMO_PASSWORD, DEMO_RECOVERY_CODES

pytestmark = pytest.mark.django_db


def test_demo_accounts_are_refused_without_debug(settings):
    from django.contrib.auth.models import User

    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("create_demo_accounts")
    assert not User.objects.filter(username__startswith="demo-").exists()


def test_each_demo_role_logs_in_through_the_forms(settings, capsys):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    printed = capsys.readouterr().out
    assert DEMO_PASSWORD in printed and "demo-freigabe" in printed

    clerk = Client()
    assert (
        clerk.post("/intern/anmelden/", {"username": "demo-sachbearbeitung", "password": DEMO_PASSWORD})["Location"]
        == "/intern/"
    )
    approver = Client()
    step = approver.post("/intern/anmelden/", {"username": "demo-freigabe", "password": DEMO_PASSWORD})
    assert step["Location"].startswith("/intern/anmelden/code/")
    assert approver.post("/intern/anmelden/code/", {"code": DEMO_RECOVERY_CODES[0]}).status_code == 302
    assert approver.get("/intern/").status_code == 200
