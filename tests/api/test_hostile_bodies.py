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
