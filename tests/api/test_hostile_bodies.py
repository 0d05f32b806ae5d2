"""Bodies no record holds are a 400 that names the place, before any view or database sees them (no 500)."""

import json

import pytest

from funding.importing import parse_decimal
from funding.models import FundingDecision
from tests.api.conftest import token_client
from tests.api.test_writes import NEW_DRAFT


def _post(client, body: str):
    return client.generic("POST", "/api/v1/decisions/", body.encode(), content_type="application/json")


@pytest.mark.parametrize(
    "body",
    ["[" * 20000, '{"a":' * 5000 + "1" + "}" * 5000, json.dumps({"a": [[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]})],
)
def test_a_body_nested_deeper_than_any_record_is_a_400(ledger, clerk, body):
    response = _post(token_client(clerk), body)

    assert response.status_code == 400, response.content
    assert "verschachtelt" in response.json()["detail"]


@pytest.mark.parametrize("field", ["recipient", "authority", "kind", "reference", "source"])
def test_a_lone_surrogate_in_any_field_is_a_400_naming_the_field(ledger, clerk, field):
    body = json.dumps({**NEW_DRAFT, field: "AZ\ud800"})  # json.dumps writes it as the escape \\ud800

    response = _post(token_client(clerk), body)

    assert response.status_code == 400, response.content
    assert field in response.json()["detail"] and "U+D800" in response.json()["detail"]
    assert not FundingDecision.objects.filter(reference__startswith="AZ-NEU").exists()


def test_a_lone_surrogate_in_the_reviewed_digest_is_a_400(ledger, approver):
    draft = ledger["draft"]
    response = token_client(approver).generic(
        "POST",
        f"/api/v1/decisions/{draft.reference}/release/",
        json.dumps({"reviewed": "\udfff"}).encode(),
        content_type="application/json",
    )

    assert response.status_code == 400, response.content
    assert not FundingDecision.objects.get(pk=draft.pk).is_released


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e26", "kein Betrag"),
        ("1e309", "kein Betrag"),
        ("1E+2", "kein Betrag"),
        ("NaN", "kein Betrag"),
        ("9999999999999.00", "zu groß"),
        ("12.345", "zwei Nachkommastellen"),
        ("1.234,56", "Punkt als Dezimaltrennzeichen"),
    ],
)
def test_an_import_amount_that_is_no_amount_is_named_not_a_500(text, message):
    with pytest.raises(ValueError, match=message):
        parse_decimal(text)


def test_an_import_amount_keeps_its_cents():
    assert str(parse_decimal("1234.5")) == "1234.50"
    assert str(parse_decimal("-0.10")) == "-0.10"
    assert str(parse_decimal("999999999999.99")) == "999999999999.99"
    assert str(parse_decimal("12.3400")) == "12.34"


def test_an_unknown_field_in_a_draft_is_a_400_naming_it_and_nothing_is_saved(ledger, clerk):
    body = json.dumps({**NEW_DRAFT, "amout": "1.00", "state": "released"})

    response = _post(token_client(clerk), body)

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"amout": ["Unbekanntes Feld."], "state": ["Unbekanntes Feld."]}
    assert not FundingDecision.objects.filter(reference=NEW_DRAFT["reference"]).exists()


def _release(client, reference: str, body: dict):
    return client.generic(
        "POST", f"/api/v1/decisions/{reference}/release/", json.dumps(body).encode(), content_type="application/json"
    )


@pytest.mark.parametrize("reviewed", [123, ["a"], {"digest": "a"}, True])
def test_a_digest_that_is_no_text_is_a_400_not_a_conflict(ledger, approver, reviewed):
    draft = ledger["draft"]
    response = _release(token_client(approver), draft.reference, {"reviewed": reviewed})

    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["reviewed"]
    assert not FundingDecision.objects.get(pk=draft.pk).is_released


def test_an_unknown_field_in_a_release_is_a_400_and_releases_nothing(ledger, approver):
    draft = ledger["draft"]
    client = token_client(approver)
    reviewed = client.get(f"/api/v1/decisions/{draft.reference}/release/").json()["reviewed"]

    response = _release(client, draft.reference, {"reviewed": reviewed, "force": True})

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"force": ["Unbekanntes Feld."]}
    assert not FundingDecision.objects.get(pk=draft.pk).is_released


def test_releasing_again_is_a_409_that_says_it_is_released(ledger, approver):
    draft = ledger["draft"]
    client = token_client(approver)
    reviewed = client.get(f"/api/v1/decisions/{draft.reference}/release/").json()["reviewed"]
    assert _release(client, draft.reference, {"reviewed": reviewed}).status_code == 200

    again = _release(client, draft.reference, {"reviewed": reviewed})

    assert again.status_code == 409, again.content
    assert "bereits freigegeben" in json.dumps(again.json(), ensure_ascii=False)


def test_a_body_over_the_limit_is_a_json_400_that_says_how_much_is_taken(ledger, clerk):
    from django.conf import settings

    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = _post(token_client(clerk), json.dumps({**NEW_DRAFT, "source": padding}))

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "zu groß" in response.json()["detail"]
    assert not FundingDecision.objects.filter(reference=NEW_DRAFT["reference"]).exists()


@pytest.mark.parametrize("path", ["/api/v1/decisions/GIBT-ES-NICHT/", "/api/v1/projects/gibt-es-nicht/"])
def test_a_record_that_does_not_exist_is_a_german_404_that_names_no_model(ledger, clerk, path):
    response = token_client(clerk).get(path)

    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail == "Unter dieser Adresse ist kein Eintrag verzeichnet."
