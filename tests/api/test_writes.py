"""Writes through the API: drafts by Sachbearbeitung, release by a different Freigabe user,
request status by the right staff; everyone else changes nothing."""

from rest_framework.test import APIClient

from funding.models import DecisionState, FundingDecision
from modellregionen import roles
from projects.models import RequestStatus
from tests.api.conftest import token_client
from tests.factories import UserFactory

NEW_DRAFT = {
    "reference": "AZ-NEU-1",
    "project": "buergerportal-soest",
    "recipient": "05974040",
    "authority": "bezreg-arnsberg",
    "kind": "amendment",
    "amends": "AZ-S-1/2019",
    "decision_date": "2020-06-01",
    "financing_type": "share",
    "eligible_costs": "10000.00",
    "amount": "8000.00",
    "own_share": "2000.00",
    "private_investment": "0.00",
    "period_start": "2019-07-01",
    "period_end": "2021-12-31",
    "source": "illustrative",
}


def test_a_clerk_drafts_a_decision_with_the_import_column_names(ledger, clerk):
    response = token_client(clerk).post("/api/v1/decisions/", NEW_DRAFT, format="json")

    assert response.status_code == 201
    assert response.json()["state"] == "draft"
    assert response.json()["amount"] == "8000.00"
    draft = FundingDecision.objects.get(reference="AZ-NEU-1")
    assert draft.drafted_by == clerk
    assert draft.amends == ledger["portal_grant"]


def test_a_new_draft_is_not_public_until_released(ledger, clerk, api):
    token_client(clerk).post("/api/v1/decisions/", NEW_DRAFT, format="json")

    assert "AZ-NEU-1" not in [d["reference"] for d in api.get("/api/v1/decisions/").json()["results"]]


def test_anonymous_writes_get_401_and_change_nothing(ledger, api):
    count = FundingDecision.objects.count()
    draft = ledger["draft"]

    responses = [
        api.post("/api/v1/decisions/", NEW_DRAFT, format="json"),
        api.patch(f"/api/v1/decisions/{draft.reference}/", {"amount": "1.00"}, format="json"),
        api.delete(f"/api/v1/decisions/{draft.reference}/"),
        api.post(f"/api/v1/decisions/{draft.reference}/release/"),
        api.post(f"/api/v1/requests/{ledger['request'].pk}/status/", {"to_status": "agreed"}, format="json"),
    ]

    assert [r.status_code for r in responses] == [401] * 5
    assert responses[0]["WWW-Authenticate"] == "Token"
    assert FundingDecision.objects.count() == count
    draft.refresh_from_db()
    assert draft.state == DecisionState.DRAFT and str(draft.amount) == "1000.00"


def test_an_approver_cannot_draft(ledger, approver):
    response = token_client(approver).post("/api/v1/decisions/", NEW_DRAFT, format="json")

    assert response.status_code == 403
    assert not FundingDecision.objects.filter(reference="AZ-NEU-1").exists()


def test_a_bad_draft_gets_400_naming_each_field(ledger, clerk):
    body = {**NEW_DRAFT, "amount": "12.345", "decision_date": "01.06.2020", "recipient": "Niemand"}

    response = token_client(clerk).post("/api/v1/decisions/", body, format="json")

    assert response.status_code == 400
    assert {"amount", "decision_date", "recipient"} <= set(response.json()["errors"])
    assert not FundingDecision.objects.filter(reference="AZ-NEU-1").exists()


def test_the_ledger_rules_answer_with_a_400_too(ledger, clerk):
    body = {**NEW_DRAFT, "kind": "initial", "amends": None, "amount": "20000.00"}  # more than eligible costs

    response = token_client(clerk).post("/api/v1/decisions/", body, format="json")

    assert response.status_code == 400
    assert "amount" in response.json()["errors"]


def test_the_author_changes_and_deletes_a_draft_another_clerk_may_not(ledger, clerk):
    other_clerk = UserFactory(username="otto", roles=[roles.CLERK])
    draft = ledger["draft"]
    url = f"/api/v1/decisions/{draft.reference}/"

    refused = token_client(other_clerk).patch(url, {"amount": "900.00"}, format="json")
    changed = token_client(clerk).patch(url, {"amount": "900.00"}, format="json")

    assert refused.status_code == 403
    assert changed.status_code == 200 and changed.json()["amount"] == "900.00"
    assert token_client(other_clerk).delete(url).status_code == 403
    assert token_client(clerk).delete(url).status_code == 204
    assert not FundingDecision.objects.filter(pk=draft.pk).exists()


def test_a_released_decision_is_never_changed_or_deleted(ledger, clerk):
    url = "/api/v1/decisions/AZ-W-1/"

    changed = token_client(clerk).patch(url, {"amount": "1.00"}, format="json")
    deleted = token_client(clerk).delete(url)

    assert changed.status_code == 400
    assert deleted.status_code == 400
    assert str(FundingDecision.objects.get(reference="AZ-W-1").amount) == "13100000.00"


def test_it_refuses_release_by_the_author(ledger, clerk):
    both = UserFactory(username="berta", roles=[roles.CLERK, roles.APPROVER])
    created = token_client(both).post("/api/v1/decisions/", NEW_DRAFT, format="json")
    assert created.status_code == 201

    response = token_client(both).post("/api/v1/decisions/AZ-NEU-1/release/")

    assert response.status_code == 403
    assert "Vier-Augen" in response.json()["detail"]
    assert FundingDecision.objects.get(reference="AZ-NEU-1").state == DecisionState.DRAFT


def test_a_clerk_cannot_release(ledger, clerk):
    other_clerk = UserFactory(username="otto", roles=[roles.CLERK])

    response = token_client(other_clerk).post(f"/api/v1/decisions/{ledger['draft'].reference}/release/")

    assert response.status_code == 403


def test_a_second_person_with_freigabe_releases_what_they_reviewed_and_it_becomes_public(ledger, approver, api):
    url = f"/api/v1/decisions/{ledger['draft'].reference}/release/"
    review = token_client(approver).get(url)
    assert review.status_code == 200 and review.json()["draft"]["amount"] == "1000.00"

    response = token_client(approver).post(url, {"reviewed": review.json()["reviewed"]}, format="json")

    assert response.status_code == 200
    assert response.json()["state"] == "released"
    assert api.get("/api/v1/decisions/AZ-ENTWURF/").status_code == 200


def test_a_release_without_the_reviewed_digest_is_a_400_naming_it(ledger, approver):
    response = token_client(approver).post(f"/api/v1/decisions/{ledger['draft'].reference}/release/")

    assert response.status_code == 400
    assert "reviewed" in response.json()["errors"]
    assert FundingDecision.objects.get(reference="AZ-ENTWURF").state == DecisionState.DRAFT


def test_a_draft_changed_after_review_is_refused_with_409_and_its_new_digest(ledger, clerk, approver):
    url = f"/api/v1/decisions/{ledger['draft'].reference}/release/"
    seen = token_client(approver).get(url).json()["reviewed"]
    changed = token_client(clerk).patch(
        f"/api/v1/decisions/{ledger['draft'].reference}/", {"amount": "799.00"}, format="json"
    )
    assert changed.status_code == 200

    response = token_client(approver).post(url, {"reviewed": seen}, format="json")

    assert response.status_code == 409
    assert response.json()["reviewed"] != seen and "reviewed" in response.json()["errors"]
    assert FundingDecision.objects.get(reference="AZ-ENTWURF").state == DecisionState.DRAFT


def test_anonymous_and_clerks_cannot_read_a_draft_through_its_release_review(ledger, clerk, api):
    url = f"/api/v1/decisions/{ledger['draft'].reference}/release/"

    assert api.get(url).status_code in (401, 403)
    assert token_client(clerk).get(url).status_code == 403


def test_staff_may_read_a_draft_by_its_reference(ledger, approver):
    assert token_client(approver).get("/api/v1/decisions/AZ-ENTWURF/").status_code == 200


def test_session_writes_need_the_csrf_token(ledger, clerk):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(clerk)

    response = client.post("/api/v1/decisions/", NEW_DRAFT, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not FundingDecision.objects.filter(reference="AZ-NEU-1").exists()


def test_the_project_office_moves_its_regions_request_and_no_other(ledger, office_soest):
    soest_request = ledger["request"]  # about the Soest project
    wuppertal_request = ledger["consultation"]  # about the Wuppertal project
    client = token_client(office_soest)

    own = client.post(f"/api/v1/requests/{soest_request.pk}/status/", {"to_status": "clarification"}, format="json")
    foreign = client.post(f"/api/v1/requests/{wuppertal_request.pk}/status/", {"to_status": "agreed"}, format="json")

    assert own.status_code == 200 and own.json()["status"] == "clarification"
    assert foreign.status_code == 403
    wuppertal_request.refresh_from_db()
    assert wuppertal_request.status == RequestStatus.RECEIVED


def test_a_request_status_cannot_skip_the_flow_409_because_of_its_state(ledger, clerk):
    response = token_client(clerk).post(
        f"/api/v1/requests/{ledger['request'].pk}/status/", {"to_status": "implemented"}, format="json"
    )

    assert response.status_code == 409
    assert "to_status" in response.json()["errors"]
    ledger["request"].refresh_from_db()
    assert ledger["request"].status == RequestStatus.RECEIVED


def test_an_unknown_status_is_a_400(ledger, clerk):
    response = token_client(clerk).post(
        f"/api/v1/requests/{ledger['request'].pk}/status/", {"to_status": "vergessen"}, format="json"
    )

    assert response.status_code == 400
    assert "to_status" in response.json()["errors"]


def test_an_approver_cannot_handle_requests(ledger, approver):
    response = token_client(approver).post(
        f"/api/v1/requests/{ledger['request'].pk}/status/", {"to_status": "agreed"}, format="json"
    )

    assert response.status_code == 403


def test_a_rate_above_the_cap_is_a_400_on_the_amount_unless_a_reason_is_given(ledger, clerk):
    # The recipient is a municipality: 80 % at most. With the earlier grant of the project this
    # amendment would lift its rate above the cap.
    over_the_cap = {**NEW_DRAFT, "eligible_costs": "0.00", "amount": "10000.00", "own_share": "0.00"}
    count = FundingDecision.objects.count()

    refused = token_client(clerk).post("/api/v1/decisions/", over_the_cap, format="json")

    assert refused.status_code == 400
    assert "Obergrenze von 80,0 %" in str(refused.json())
    assert "amount" in str(refused.json())
    assert FundingDecision.objects.count() == count

    reasoned = {**over_the_cap, "rate_exception_reason": "Veröffentlichte Ausnahme: 90 %"}
    accepted = token_client(clerk).post("/api/v1/decisions/", reasoned, format="json")

    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["rate_exception_reason"] == "Veröffentlichte Ausnahme: 90 %"


def test_a_reference_of_other_characters_or_differing_only_in_case_is_a_400_naming_it(ledger, clerk):
    client = token_client(clerk)
    before = FundingDecision.objects.count()

    odd = client.post("/api/v1/decisions/", {**NEW_DRAFT, "reference": "=HYPERLINK(1)"}, format="json")
    same = client.post("/api/v1/decisions/", {**NEW_DRAFT, "reference": "az-s-1/2019"}, format="json")

    assert odd.status_code == 400 and "reference" in odd.json()["errors"]
    assert same.status_code == 400 and "AZ-S-1/2019" in " ".join(same.json()["errors"]["reference"])
    assert FundingDecision.objects.count() == before
