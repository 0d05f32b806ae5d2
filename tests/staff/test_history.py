"""History pages: who changed what and when, with old → new values, for decisions, projects, requests."""

from decimal import Decimal

import pytest

from funding import services as funding_services
from projects import services as project_services
from tests.factories import release_reviewed_decision
from tests.staff.conftest import login

pytestmark = pytest.mark.django_db


def test_the_decision_history_shows_who_changed_what(client, clerk, approver, draft_by_clerk):
    funding_services.decision_update_draft(decision=draft_by_clerk, user=clerk, amount=Decimal("400000.00"))
    release_reviewed_decision(decision=draft_by_clerk, user=approver)

    response = login(client, approver).get(f"/intern/bescheide/{draft_by_clerk.pk}/verlauf/")

    entries = response.context["entries"]
    assert [(e.who, e.action) for e in entries] == [("Anton", "geändert"), ("Clara", "geändert"), ("Clara", "angelegt")]
    release_changes = {c.label: (c.old, c.new) for c in entries[0].changes}
    assert release_changes["Status"] == ("Entwurf", "freigegeben")
    assert release_changes["freigegeben von"] == ("—", "anton")
    amount_change = {c.label: (c.old, c.new) for c in entries[1].changes}
    assert amount_change == {"Zuwendung (€)": ("475.222,00", "400.000,00")}
    content = response.content.decode()
    assert "Verlauf des Bescheids AZ-2019-001" in content
    assert "475.222,00" in content
    assert "400.000,00" in content


def test_the_project_history_shows_old_and_new_values(client, office_soest, project_soest):
    project_services.project_update(project=project_soest, user=office_soest, title="Bürgerportal und 3D-Stadtmodell")

    response = login(client, office_soest).get(f"/intern/projekte/{project_soest.pk}/verlauf/")

    entry = response.context["entries"][0]
    assert entry.who == "Sophie"
    assert [(c.label, c.old, c.new) for c in entry.changes] == [
        ("Titel", "Bürgerportal Soest", "Bürgerportal und 3D-Stadtmodell")
    ]
    assert "Bürgerportal und 3D-Stadtmodell" in response.content.decode()


def test_the_request_history_shows_status_changes_with_notes(client, office_soest, request_soest):
    project_services.request_change_status(
        transfer_request=request_soest, user=office_soest, to_status="agreed", note="Vereinbarung unterschrieben"
    )

    response = login(client, office_soest).get(f"/intern/anfragen/{request_soest.pk}/verlauf/")

    content = response.content.decode()
    assert "Vereinbarung unterschrieben" in content
    entry = response.context["entries"][0]
    assert entry.who == "Sophie"
    assert [(c.label, c.old, c.new) for c in entry.changes] == [("Status", "eingegangen", "vereinbart")]


def test_another_regions_request_history_is_not_found(client, office_soest, request_wuppertal):
    response = login(client, office_soest).get(f"/intern/anfragen/{request_wuppertal.pk}/verlauf/")

    assert response.status_code == 404
