"""Login (German) with lockout, logout, session expiry, CSRF and the Content-Security-Policy."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.staff.conftest import form_data, login

pytestmark = pytest.mark.django_db


def test_the_login_page_is_german(client):
    response = client.get("/intern/anmelden/")

    content = response.content.decode()
    assert "<h1>Anmelden</h1>" in content
    assert "Benutzername" in content
    assert "Passwort" in content
    assert 'name="csrfmiddlewaretoken"' in content


def test_a_clerk_logs_in_and_lands_on_the_overview(client, clerk):
    response = client.post("/intern/anmelden/", {"username": "clara", "password": "a-long-test-password"}, follow=True)

    assert response.redirect_chain[-1][0] == "/intern/"
    assert "Meine Entwürfe" in response.content.decode()


def test_a_wrong_password_is_refused_in_german(client, clerk):
    response = client.post("/intern/anmelden/", {"username": "clara", "password": "falsch"})

    assert response.status_code == 200
    assert "Benutzername oder Passwort stimmt nicht." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_empty_field_is_named_not_taken_for_a_wrong_password(client, clerk):
    response = client.post("/intern/anmelden/", {"username": "clara", "password": ""})

    page = response.content.decode()
    assert 'href="#id_password">Passwort</a>: ' in page
    assert "stimmt nicht" not in page
    assert "_auth_user_id" not in client.session


def test_it_locks_the_login_after_repeated_failures(client, clerk):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/intern/anmelden/", {"username": "clara", "password": "falsch"})

    response = client.post("/intern/anmelden/", {"username": "clara", "password": "a-long-test-password"})

    assert response.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/intern/").status_code == 302


def test_logout_ends_the_session(client, clerk):
    login(client, clerk)

    response = client.post("/intern/abmelden/")

    assert response.status_code == 302
    assert client.get("/intern/")["Location"].startswith("/intern/anmelden/")


def test_an_expired_session_must_log_in_again(client, clerk):
    login(client, clerk)
    assert client.session.get_expiry_age() <= 8 * 3600
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))

    response = client.get("/intern/")

    assert response.status_code == 302
    assert response["Location"].startswith("/intern/anmelden/")


def test_writes_without_a_csrf_token_are_refused(clerk, project_soest, recipient, authority):
    client = login(Client(enforce_csrf_checks=True), clerk)

    response = client.post("/intern/bescheide/neu/", form_data(project_soest, recipient, authority))

    assert response.status_code == 403
    from funding.models import FundingDecision

    assert not FundingDecision.objects.exists()


def test_the_workspace_allows_no_inline_scripts(client, clerk):
    response = login(client, clerk).get("/intern/bescheide/neu/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def fail_five_times(client, username, **meta):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/intern/anmelden/", {"username": username, "password": "falsch"}, **meta)


def test_an_attacker_locks_only_their_own_address_never_a_colleagues_account(client, clerk):
    fail_five_times(client, "clara", REMOTE_ADDR="203.0.113.9")

    attacker = client.post(
        "/intern/anmelden/", {"username": "clara", "password": "a-long-test-password"}, REMOTE_ADDR="203.0.113.9"
    )
    colleague = Client().post(
        "/intern/anmelden/", {"username": "clara", "password": "a-long-test-password"}, REMOTE_ADDR="198.51.100.7"
    )

    assert attacker.status_code == 429
    assert "Die Sperre endet 1 Minute nach dem letzten Fehlversuch" in attacker.content.decode()
    assert colleague.status_code == 302  # clara herself logs in from her own address


def test_the_lock_grows_with_every_round_of_failures_up_to_an_hour(rf, settings, db):
    from regions import login_limits

    request = rf.post("/intern/anmelden/", REMOTE_ADDR="203.0.113.10")
    locks = []
    for _round in range(9):
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            login_limits.record_failure(request)
        locks.append(login_limits.cool_off(request))

    assert [lock.total_seconds() / 60 for lock in locks] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_password_spraying_from_one_address_is_stopped(client, clerk, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for number in range(12):
        client.post(
            "/intern/anmelden/", {"username": f"user{number}", "password": "Sommer2026!"}, REMOTE_ADDR="203.0.113.11"
        )

    refused = client.post(
        "/intern/anmelden/", {"username": "clara", "password": "a-long-test-password"}, REMOTE_ADDR="203.0.113.11"
    )
    elsewhere = Client().post(
        "/intern/anmelden/", {"username": "clara", "password": "a-long-test-password"}, REMOTE_ADDR="198.51.100.8"
    )

    assert refused.status_code == 429 and "zu viele fehlgeschlagene Anmeldungen" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert elsewhere.status_code == 302


def test_the_spraying_limit_holds_while_the_cache_is_down(client, clerk, settings):
    """The failures are in the database: a Redis outage does not switch the limit off."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for number in range(6):
        client.post(
            "/intern/anmelden/", {"username": f"user{number}", "password": "Winter2026!"}, REMOTE_ADDR="203.0.113.12"
        )

    refused = client.post(
        "/intern/anmelden/", {"username": "clara", "password": "a-long-test-password"}, REMOTE_ADDR="203.0.113.12"
    )

    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(client, clerk, settings):
    from axes.models import AccessAttempt

    # Not trusted: a client cannot pick its address with a header.
    client.post(
        "/intern/anmelden/",
        {"username": "clara", "password": "falsch"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    settings.TRUSTED_PROXIES = frozenset({"10.0.0.1"})
    client.post(
        "/intern/anmelden/",
        {"username": "clara", "password": "falsch"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.1",
    )

    assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7", "203.0.113.9"]


def test_the_api_throttle_and_the_form_limit_count_the_same_client(rf, settings):
    from modellregionen.api.throttling import AnonymousRateThrottle
    from modellregionen.client_ip import client_ip

    settings.TRUSTED_PROXIES = frozenset({"10.0.0.1"})
    behind_proxy = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    spoofed = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert client_ip(behind_proxy) == AnonymousRateThrottle().get_ident(behind_proxy) == "198.51.100.7"
    assert client_ip(spoofed) == "203.0.113.9"
    assert settings.RATELIMIT_IP_META_KEY == "modellregionen.client_ip.client_ip"


def test_trusted_proxies_may_be_networks(rf, settings):
    from modellregionen.client_ip import client_ip

    settings.TRUSTED_PROXIES = frozenset({"172.16.0.0/12", "::1"})
    assert client_ip(rf.get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")) == "198.51.100.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="::1", HTTP_X_FORWARDED_FOR="2001:db8::1")) == "2001:db8::1"
    # A client inside no trusted network, or a forwarded chain of only proxies, is the remote address.
    assert client_ip(rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.7")) == "192.0.2.1"
    assert client_ip(rf.get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="172.18.0.9")) == "172.18.0.5"
