"""A write through the API that keeps meeting other writers (issue 32): 409 with what to do, nothing saved."""

from funding.models import FundingDecision
from tests.api.conftest import token_client
from tests.api.test_writes import NEW_DRAFT
from tests.funding.test_write_conflicts import refuse_first


def test_the_api_answers_409_with_what_to_do_and_saves_nothing(ledger, clerk, monkeypatch):
    refuse_first(monkeypatch, 100)

    response = token_client(clerk).post("/api/v1/decisions/", NEW_DRAFT, format="json")

    assert response.status_code == 409, response.content
    body = response.json()
    assert "Gleichzeitig hat jemand anderes" in str(body)
    assert "Datenbank" not in body["detail"]
    assert not FundingDecision.objects.filter(reference=NEW_DRAFT["reference"]).exists()


def test_a_release_through_the_api_that_keeps_meeting_other_writers_is_409(ledger, approver, monkeypatch):
    draft = ledger["draft"]
    client = token_client(approver)
    reviewed = client.get(f"/api/v1/decisions/{draft.reference}/release/").json()["reviewed"]
    refuse_first(monkeypatch, 100)

    response = client.post(f"/api/v1/decisions/{draft.reference}/release/", {"reviewed": reviewed}, format="json")

    assert response.status_code == 409, response.content
    assert "Gleichzeitig hat jemand anderes" in str(response.json())
    assert not FundingDecision.objects.get(pk=draft.pk).is_released
