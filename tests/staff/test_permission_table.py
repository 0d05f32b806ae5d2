"""Walks the whole permission table (role × action) through the workspace, as a person would.

The table is the one in the README. Object scoping is part of it: the project office of
Soest may change Soest's projects and requests, and gets 403 (projects, which are public)
or 404 (requests, which carry personal data) for Wuppertal's, whatever id it tries.
"""

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from funding.four_eyes import review_digest
from funding.models import DecisionState, FiguresVersion, FundingDecision
from projects.models import RequestStatus
from tests.staff.conftest import form_data, login

pytestmark = pytest.mark.django_db

ROLES = ("clerk", "approver", "office_soest", "office_wuppertal", "administrator", "no_role_user", "anonymous")

OK, FORBIDDEN, NOT_FOUND, LOGIN = "ok", "forbidden", "not found", "login"

# action: expected outcome per role, in the order of ROLES.
PERMISSION_TABLE = {
    "open the workspace": (OK, OK, OK, OK, OK, FORBIDDEN, LOGIN),
    "draft a decision": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "edit the clerk's draft": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "delete the clerk's draft": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "release the clerk's draft": (FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "edit a released decision": (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "amend a released decision": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "import decisions": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "read a project's ledger": (OK, OK, OK, OK, OK, FORBIDDEN, LOGIN),
    "read a decision's history": (OK, OK, OK, OK, OK, FORBIDDEN, LOGIN),
    "edit a Soest project": (OK, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "edit a Wuppertal project": (OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, LOGIN),
    "open the requests inbox": (OK, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, LOGIN),
    "read a Wuppertal request": (OK, FORBIDDEN, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN, LOGIN),
    "change a Soest request's status": (OK, FORBIDDEN, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, LOGIN),
    "change a Wuppertal request's status": (OK, FORBIDDEN, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN, LOGIN),
    "trigger a figures recompute": (OK, OK, OK, OK, OK, FORBIDDEN, LOGIN),
}


class World:
    """Fixtures on demand, so each action builds only what it needs."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return self._request.getfixturevalue(name)


def _project_post(project, **changes) -> dict:
    from projects.services import PROJECT_EDITABLE_FIELDS

    data = model_to_dict(project, fields=PROJECT_EDITABLE_FIELDS)
    data["partner_municipalities"] = [m.pk for m in data["partner_municipalities"]]
    for name, value in list(data.items()):
        if value is None:
            data[name] = ""
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
    data.update(changes)
    return data


def open_workspace(client, world):
    response = client.get("/intern/")
    return response, response.status_code == 200


def draft_decision(client, world):
    data = form_data(world.project_soest, world.recipient, world.authority, reference="AZ-NEW")
    response = client.post("/intern/bescheide/neu/", data)
    return response, FundingDecision.objects.filter(reference="AZ-NEW").exists()


def edit_clerks_draft(client, world):
    draft = world.draft_by_clerk
    data = form_data(draft.project, draft.recipient, draft.authority, amount="400.000,00")
    response = client.post(f"/intern/bescheide/{draft.pk}/bearbeiten/", data)
    draft.refresh_from_db()
    return response, draft.amount == 400000


def delete_clerks_draft(client, world):
    draft = world.draft_by_clerk
    response = client.post(f"/intern/bescheide/{draft.pk}/loeschen/")
    return response, not FundingDecision.objects.filter(pk=draft.pk).exists()


def release_clerks_draft(client, world):
    draft = world.draft_by_clerk
    # The digest of the draft as stored: the role alone decides here, not a missing review.
    response = client.post(f"/intern/bescheide/{draft.pk}/freigeben/", {"reviewed": review_digest(draft)})
    draft.refresh_from_db()
    return response, draft.state == DecisionState.RELEASED


def edit_released(client, world):
    released = world.released_decision
    data = form_data(released.project, released.recipient, released.authority, reference=released.reference)
    response = client.post(f"/intern/bescheide/{released.pk}/bearbeiten/", data)
    released.refresh_from_db()
    return response, released.amount != 800000


def amend_released(client, world):
    released = world.released_decision
    data = form_data(
        released.project,
        released.recipient,
        released.authority,
        reference="AZ-AMEND",
        eligible_costs="50.000,00",
        amount="40.000,00",
        own_share="10.000,00",
    )
    response = client.post(f"/intern/bescheide/{released.pk}/aendern/", data)
    return response, FundingDecision.objects.filter(reference="AZ-AMEND", kind="amendment").exists()


def import_decisions(client, world):
    response = client.get("/intern/bescheide/import/")
    return response, response.status_code == 200


def read_ledger(client, world):
    response = client.get(f"/intern/projekte/{world.released_decision.project_id}/")
    return response, response.status_code == 200


def read_decision_history(client, world):
    response = client.get(f"/intern/bescheide/{world.released_decision.pk}/verlauf/")
    return response, response.status_code == 200


def _edit_project(client, project):
    response = client.post(f"/intern/projekte/{project.pk}/bearbeiten/", _project_post(project, title="Neuer Titel"))
    project.refresh_from_db()
    return response, project.title == "Neuer Titel"


def edit_soest_project(client, world):
    return _edit_project(client, world.project_soest)


def edit_wuppertal_project(client, world):
    return _edit_project(client, world.project_wuppertal)


def open_inbox(client, world):
    world.request_soest, world.request_wuppertal  # noqa: B018 - both regions have requests
    response = client.get("/intern/anfragen/")
    return response, response.status_code == 200


def read_wuppertal_request(client, world):
    response = client.get(f"/intern/anfragen/{world.request_wuppertal.pk}/")
    return response, response.status_code == 200


def _change_status(client, transfer_request):
    response = client.post(
        f"/intern/anfragen/{transfer_request.pk}/", {"to_status": "clarification", "note": "Rückruf vereinbart"}
    )
    transfer_request.refresh_from_db()
    return response, transfer_request.status == RequestStatus.CLARIFICATION


def change_soest_request(client, world):
    return _change_status(client, world.request_soest)


def change_wuppertal_request(client, world):
    return _change_status(client, world.request_wuppertal)


def trigger_recompute(client, world):
    world.programme  # noqa: B018 - the recompute needs a programme
    response = client.post("/intern/kennzahlen/neu-berechnen/")
    return response, FiguresVersion.objects.exists()


ACTIONS = {
    "open the workspace": open_workspace,
    "draft a decision": draft_decision,
    "edit the clerk's draft": edit_clerks_draft,
    "delete the clerk's draft": delete_clerks_draft,
    "release the clerk's draft": release_clerks_draft,
    "edit a released decision": edit_released,
    "amend a released decision": amend_released,
    "import decisions": import_decisions,
    "read a project's ledger": read_ledger,
    "read a decision's history": read_decision_history,
    "edit a Soest project": edit_soest_project,
    "edit a Wuppertal project": edit_wuppertal_project,
    "open the requests inbox": open_inbox,
    "read a Wuppertal request": read_wuppertal_request,
    "change a Soest request's status": change_soest_request,
    "change a Wuppertal request's status": change_wuppertal_request,
    "trigger a figures recompute": trigger_recompute,
}

CASES = [
    pytest.param(action, role, expected, id=f"{role}: {action}")
    for action, outcomes in PERMISSION_TABLE.items()
    for role, expected in zip(ROLES, outcomes, strict=True)
]


def test_the_table_covers_every_action():
    assert set(PERMISSION_TABLE) == set(ACTIONS)


@pytest.mark.parametrize(("action", "role", "expected"), CASES)
def test_the_permission_table(request, client, action, role, expected):
    world = World(request)
    user = None if role == "anonymous" else request.getfixturevalue(role)
    login(client, user)

    response, happened = ACTIONS[action](client, world)

    if expected == OK:
        assert response.status_code in (200, 302), response.content.decode()[:2000]
        if response.status_code == 302:
            assert "/anmelden/" not in response["Location"]
        assert happened, f"{role} should be able to {action}"
    else:
        assert not happened, f"{role} must not be able to {action}"
        if expected == FORBIDDEN:
            assert response.status_code == 403
        elif expected == NOT_FOUND:
            assert response.status_code == 404
        else:
            assert response.status_code == 302
            assert response["Location"].startswith("/intern/anmelden/")
