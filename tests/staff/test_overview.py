"""The overview: my drafts, drafts waiting for my release, new requests, the figures version."""

import pytest

from funding.models import FiguresVersion
from tests.staff.conftest import login

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_the_login(client):
    response = client.get("/intern/")

    assert response.status_code == 302
    assert response["Location"].startswith("/intern/anmelden/?next=/intern/")


def test_it_refuses_a_logged_in_user_without_a_role(client, no_role_user):
    response = login(client, no_role_user).get("/intern/")

    assert response.status_code == 403


def test_the_clerk_sees_their_drafts(client, clerk, draft_by_clerk):
    response = login(client, clerk).get("/intern/")

    content = response.content.decode()
    assert "Meine Entwürfe" in content
    assert "AZ-2019-001" in content
    assert "Entwürfe, die auf meine Freigabe warten" not in content


def test_the_approver_sees_drafts_waiting_for_release(client, approver, draft_by_clerk):
    response = login(client, approver).get("/intern/")

    content = response.content.decode()
    assert "Entwürfe, die auf meine Freigabe warten" in content
    assert "AZ-2019-001" in content
    assert "475.222,00 €" in content


def test_the_project_office_sees_new_requests_of_its_region_only(
    client, office_soest, request_soest, request_wuppertal
):
    response = login(client, office_soest).get("/intern/")

    content = response.content.decode()
    assert "Neue Anfragen" in content
    assert request_soest.project.title in content
    assert request_wuppertal.project.title not in content
    assert "Meine Entwürfe" not in content


def test_a_recompute_publishes_a_new_figures_version_and_the_overview_says_so(client, clerk, programme):
    login(client, clerk)

    response = client.post("/intern/kennzahlen/neu-berechnen/", follow=True)

    version = FiguresVersion.objects.get(is_current=True)
    content = response.content.decode()
    assert "Die Neuberechnung der Kennzahlen wurde angestoßen." in content
    assert f"<strong data-figures-version>{version.pk}</strong>" in content
    assert "Neuberechnung abgeschlossen." in content
    status = client.get("/intern/kennzahlen/status/").json()
    assert status["state"] == "done"
    assert status["version"] == version.pk


def test_the_recompute_button_needs_a_post(client, clerk):
    response = login(client, clerk).get("/intern/kennzahlen/neu-berechnen/")

    assert response.status_code == 405
