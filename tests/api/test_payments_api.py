"""/api/v1/payments/ and /api/v1/recoveries/: released entries only, complete CSV, filters (issue 17)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from funding.choices import RecoveryKind
from funding.payments import services
from funding.payments.models import Payment, PaymentRequest, Recovery
from tests.factories import DecisionFactory, release_reviewed_decision, release_reviewed_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(clerk, approver):
    grant = release_reviewed_decision(decision=DecisionFactory(reference="AZ-1"), user=approver)

    def book(model, release=True, **fields):
        entry = services.entry_create_draft(model, source="Testbeleg", user=clerk, decision=grant, **fields)
        return release_reviewed_entry(entry=entry, user=approver) if release else entry

    first = book(Payment, reference="AUS-1", amount=Decimal("50000.00"), value_date=dt.date(2019, 7, 1))
    book(Payment, reference="AUS-2", amount=Decimal("-500.00"), value_date=dt.date(2019, 7, 5), corrects=first)
    asked = book(PaymentRequest, reference="MA-3", amount=Decimal("30000.00"), received_on=dt.date(2020, 2, 17))
    book(Payment, reference="AUS-3", amount=Decimal("30000.00"), value_date=dt.date(2020, 3, 2), payment_request=asked)
    book(Payment, reference="AUS-DRAFT", amount=Decimal("1.00"), value_date=dt.date(2020, 3, 3), release=False)
    book(
        Recovery,
        reference="RF-1",
        kind=RecoveryKind.CLAIM,
        amount=Decimal("100.00"),
        booked_on=dt.date(2020, 4, 1),
        reason="Prüfung des Verwendungsnachweises",
    )
    return grant


def test_the_payments_list_shows_released_entries_with_their_grant(api, entries):
    response = api.get("/api/v1/payments/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["reference"] for row in rows] == ["AUS-1", "AUS-2", "AUS-3"]
    correction = rows[1]
    assert correction["amount"] == "-500.00" and correction["corrects"] == "AUS-1"
    assert correction["decision"] == "AZ-1"
    assert correction["project"]["slug"] == entries.project.slug
    assert correction["recipient"]["name"] == entries.recipient.name
    assert (correction["request_reference"], correction["requested_on"]) == (None, None)
    assert (rows[2]["request_reference"], rows[2]["requested_on"]) == ("MA-3", "2020-02-17")
    assert api.get("/api/v1/payments/AUS-DRAFT/").status_code == 404


def test_the_payments_csv_is_complete_and_exact(api, entries):
    response = api.get("/api/v1/payments/", {"format": "csv"})

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == Payment.objects.released().count() == 3
    assert sum(Decimal(row["amount"]) for row in rows) == Decimal("79500.00")


def test_payments_filter_by_year_and_bad_filters_are_a_400_naming_them(api, entries):
    in_2020 = api.get("/api/v1/payments/", {"year": "2020"}).json()["results"]
    bad = api.get("/api/v1/payments/", {"date_from": "gestern"})
    unknown = api.get("/api/v1/payments/", {"colour": "blue"})

    assert [row["reference"] for row in in_2020] == ["AUS-3"]
    assert bad.status_code == 400 and "date_from" in bad.json()["errors"]
    assert unknown.status_code == 400 and "colour" in unknown.json()["errors"]


def test_the_recoveries_list_filters_by_kind(api, entries):
    claims = api.get("/api/v1/recoveries/", {"kind": "claim"}).json()["results"]
    repayments = api.get("/api/v1/recoveries/", {"kind": "repayment"}).json()["results"]

    assert [row["reference"] for row in claims] == ["RF-1"]
    assert claims[0]["reason"] == "Prüfung des Verwendungsnachweises"
    assert repayments == []
    assert Recovery.objects.count() == 1


def test_a_new_payment_changes_the_lists_etag_at_once(api, entries, clerk, approver):
    before = api.get("/api/v1/payments/")
    payment = services.entry_create_draft(
        Payment,
        source="Testbeleg",
        user=clerk,
        decision=entries,
        reference="AUS-4",
        amount=Decimal("10.00"),
        value_date=dt.date(2020, 5, 4),
    )
    release_reviewed_entry(entry=payment, user=approver)
    # Before any figures recompute: the list's own validators know the ledger changed.
    after = api.get("/api/v1/payments/", HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "AUS-4" in [row["reference"] for row in after.json()["results"]]
