"""The second factor, through the real forms: required for Freigabe, Administration and superusers.

Passwords in the test users are "a-long-test-password" (tests/factories.UserFactory).
"""

import datetime as dt
import re
import time

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from funding.models import DecisionState
from modellregionen import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _no_wait_after_a_wrong_code(settings):
    """django-otp makes a device wait 1 s, 2 s, 4 s ... after each wrong code; a person takes that long anyway."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _password_step(client, username: str):
    return client.post("/intern/anmelden/", {"username": username, "password": PASSWORD})


def _code(device: TOTPDevice, *, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_an_approver_must_set_up_a_second_factor_before_any_staff_page(client, approver):
    answer = _password_step(client, "anton")

    assert answer.status_code == 302 and answer["Location"].startswith("/intern/konto/zweiter-faktor/")
    assert client.get("/intern/")["Location"].startswith("/intern/konto/zweiter-faktor/")
    assert client.get("/admin/")["Location"].startswith("/intern/konto/zweiter-faktor/")
    assert client.post("/api/v1/decisions/AZ-1/release/").status_code == 403

    setup = client.get("/intern/konto/zweiter-faktor/")
    assert setup.status_code == 200 and "data:image/svg+xml;charset=utf-8,%3Csvg%20xmlns" in setup.content.decode()
    device = TOTPDevice.objects.get(user=approver, confirmed=False)
    wrong = client.post("/intern/konto/zweiter-faktor/", {"code": "000000"})
    assert wrong.status_code == 400 and "stimmt nicht" in wrong.content.decode()

    done = client.post("/intern/konto/zweiter-faktor/", {"code": _code(device), "next": "/intern/"})

    codes = re.findall(r"<code>(\w+)</code>", done.content.decode())
    assert done.status_code == 200 and len(codes) == 10
    assert client.get("/intern/").status_code == 200


def test_with_a_second_factor_the_login_asks_for_the_code_and_a_recovery_code_works_once(client, approver):
    device = TOTPDevice.objects.create(user=approver, name="App", confirmed=True)
    first = Client()
    _password_step(first, "anton")
    first.post("/intern/konto/zweiter-faktor/", {"code": _code(device)})  # a second device is not set up this way
    assert first.get("/intern/")["Location"].startswith("/intern/anmelden/code/")

    answer = _password_step(client, "anton")
    assert answer["Location"].startswith("/intern/anmelden/code/")
    assert client.post("/intern/anmelden/code/", {"code": "123456"}).status_code == 400
    ok = client.post("/intern/anmelden/code/", {"code": _code(device), "next": "/intern/bescheide/"})
    assert ok.status_code == 302 and ok["Location"] == "/intern/bescheide/"
    assert client.get("/intern/").status_code == 200

    from modellregionen.staff.account import _new_recovery_codes

    recovery = _new_recovery_codes(approver)[0]
    other = Client()
    _password_step(other, "anton")
    assert other.post("/intern/anmelden/code/", {"code": recovery}).status_code == 302
    again = Client()
    _password_step(again, "anton")
    assert again.post("/intern/anmelden/code/", {"code": recovery}).status_code == 400


def test_the_code_step_refuses_an_open_redirect(client, approver):
    device = TOTPDevice.objects.create(user=approver, name="App", confirmed=True)
    _password_step(client, "anton")

    answer = client.post("/intern/anmelden/code/", {"code": _code(device), "next": "https://evil.example/"})

    assert answer["Location"] == "/intern/"


@pytest.mark.parametrize("role", [roles.ADMINISTRATION, "superuser"])
def test_administration_and_superusers_need_it_too(client, role):
    if role == "superuser":
        UserFactory(username="root", is_superuser=True, is_staff=True)
    else:
        UserFactory(username="root", roles=[role], is_staff=True)

    assert _password_step(client, "root")["Location"].startswith("/intern/konto/zweiter-faktor/")
    assert client.get("/admin/")["Location"].startswith("/intern/konto/zweiter-faktor/")


def test_a_clerk_may_go_without_but_once_set_up_it_is_asked_for(client, clerk):
    assert _password_step(client, "clara")["Location"] == "/intern/"
    assert client.get("/intern/").status_code == 200

    TOTPDevice.objects.create(user=clerk, name="App", confirmed=True)
    later = Client()
    assert _password_step(later, "clara")["Location"].startswith("/intern/anmelden/code/")


def test_the_admin_login_form_leads_to_the_one_staff_login(client):
    answer = client.get("/admin/login/")

    assert answer.status_code == 302 and answer["Location"].startswith("/intern/anmelden/")


def test_api_tokens_are_made_behind_the_second_factor_expire_and_can_be_revoked(client, approver, clerk, settings):
    from tests.staff.conftest import login

    login(client, clerk)
    page = client.post("/intern/konto/api-token/")
    key = re.search(r"<code>(\w+)</code>", page.content.decode()).group(1)
    api = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert api.get("/api/v1/decisions/AZ-NOPE/", **headers).status_code == 404  # authenticated, nothing there

    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS))
    expired = api.post("/api/v1/decisions/", {}, content_type="application/json", **headers)
    assert expired.status_code == 401 and "abgelaufen" in expired.content.decode()

    page = client.post("/intern/konto/api-token/")
    key = re.search(r"<code>(\w+)</code>", page.content.decode()).group(1)
    client.post("/intern/konto/api-token/widerrufen/")
    revoked = api.post("/api/v1/decisions/", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert revoked.status_code == 401


def test_a_password_only_session_cannot_release_through_the_api(client, approver, draft_by_clerk):
    _password_step(client, "anton")

    answer = client.post(
        f"/api/v1/decisions/{draft_by_clerk.reference}/release/", {"reviewed": "x"}, content_type="application/json"
    )

    assert answer.status_code == 403
    draft_by_clerk.refresh_from_db()
    assert draft_by_clerk.state == DecisionState.DRAFT


def test_a_code_is_accepted_only_once_within_its_window(client, approver):
    device = TOTPDevice.objects.create(user=approver, name="App", confirmed=True)
    code = _code(device)
    _password_step(client, "anton")
    assert client.post("/intern/anmelden/code/", {"code": code}).status_code == 302

    replay = Client()
    _password_step(replay, "anton")
    time.sleep(0.01)
    assert replay.post("/intern/anmelden/code/", {"code": code}).status_code == 400


def test_a_script_name_prefix_does_not_get_a_password_only_session_past_the_second_factor(client, approver):
    _password_step(client, "anton")

    page = client.get("/intern/", SCRIPT_NAME="/x")
    api = client.post("/api/v1/decisions/AZ-1/release/", {}, SCRIPT_NAME="/x")

    assert page.status_code == 302 and "zweiter-faktor" in page["Location"]
    assert api.status_code == 403
    assert client.get("/intern/anmelden/", SCRIPT_NAME="/x")["Cache-Control"] == "no-store"


def test_the_session_gets_a_new_id_when_the_code_is_accepted(client, approver):
    from django.conf import settings

    device = TOTPDevice.objects.create(user=approver, name="App", confirmed=True)
    _password_step(client, "anton")
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post("/intern/anmelden/code/", {"code": _code(device)})

    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before
    assert client.get("/intern/").status_code == 200
