"""Writes that meet another writer (issue 32): retried from the start, then refused in words, never a 503.

The database's refusal is simulated where every four-eyes write ends (it records the ledger
change last): a deadlock (SQLSTATE 40P01) or a serialization failure (40001) as psycopg
reports them, wrapped by Django in an OperationalError. tests/funding/test_concurrent_writers.py
has real writers racing on PostgreSQL.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import OperationalError, transaction

from funding import four_eyes
from funding import services as decision_services
from funding.four_eyes import review_digest
from funding.models import FundingDecision
from funding.payments import services as entry_services
from funding.payments.models import Payment
from modellregionen import ledger_changes
from modellregionen.write_conflicts import CONFLICT_MESSAGE, WriteConflict, is_write_conflict
from tests.factories import DecisionFactory, release_reviewed_decision

D = Decimal


class _PsycopgError(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def database_refusal(sqlstate: str = "40P01") -> OperationalError:
    error = OperationalError("deadlock detected" if sqlstate == "40P01" else "could not serialize access")
    error.__cause__ = _PsycopgError(sqlstate)
    return error


def refuse_first(monkeypatch, times: int, sqlstate: str = "40P01") -> list[int]:
    """Make the first `times` ledger-change records of four-eyes writes fail as the database would."""
    calls = []
    record = ledger_changes.record

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise database_refusal(sqlstate)
        return record(*args, **kwargs)

    monkeypatch.setattr(four_eyes.ledger_changes, "record", flaky)
    monkeypatch.setattr("modellregionen.write_conflicts.FIRST_WAIT_SECONDS", 0.001)
    return calls


def payment_fields(grant, reference="AUS-1") -> dict:
    return {
        "reference": reference,
        "decision": grant,
        "amount": D("1000.00"),
        "value_date": dt.date(2019, 9, 2),
        "source": "Testbeleg",
    }


def test_only_a_deadlock_a_serialization_failure_or_a_locked_sqlite_file_is_a_conflict():
    assert is_write_conflict(database_refusal("40P01"))
    assert is_write_conflict(database_refusal("40001"))
    assert is_write_conflict(OperationalError("database is locked"))
    assert not is_write_conflict(database_refusal("08006"))  # connection failure: an outage
    assert not is_write_conflict(OperationalError("server closed the connection unexpectedly"))
    assert not is_write_conflict(ValueError("deadlock"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_a_draft_that_met_another_writer_is_written_once_on_a_retry(monkeypatch, clerk, approver, sqlstate):
    grant = release_reviewed_decision(decision=DecisionFactory(amount=D("100000.00")), user=approver)
    calls = refuse_first(monkeypatch, 2, sqlstate)

    draft = entry_services.entry_create_draft(Payment, user=clerk, **payment_fields(grant))

    assert len(calls) == 3
    assert list(Payment.objects.values_list("reference", flat=True)) == ["AUS-1"]
    assert draft.history.count() == 1  # the failed attempts left nothing behind


@pytest.mark.django_db(transaction=True)
def test_a_release_that_met_another_writer_is_released_once_on_a_retry(monkeypatch, clerk, approver):
    decision = DecisionFactory(drafted_by=clerk)
    reviewed = review_digest(decision)
    calls = refuse_first(monkeypatch, 1)

    released = decision_services.decision_release(decision=decision, user=approver, reviewed=reviewed)

    assert len(calls) == 2
    assert released.is_released and FundingDecision.objects.get(pk=decision.pk).is_released
    assert FundingDecision.objects.get(pk=decision.pk).history.filter(state="released").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_write_that_keeps_meeting_other_writers_is_refused_in_words_and_saves_nothing(monkeypatch, clerk, approver):
    grant = release_reviewed_decision(decision=DecisionFactory(amount=D("100000.00")), user=approver)
    calls = refuse_first(monkeypatch, 100)

    with pytest.raises(WriteConflict) as refused:
        entry_services.entry_create_draft(Payment, user=clerk, **payment_fields(grant))

    assert len(calls) == 4  # bounded
    assert refused.value.messages == [str(CONFLICT_MESSAGE)]
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_inside_another_transaction_a_conflict_is_not_retried_but_refused(monkeypatch, clerk, approver):
    grant = release_reviewed_decision(decision=DecisionFactory(amount=D("100000.00")), user=approver)
    calls = refuse_first(monkeypatch, 1)

    with pytest.raises(WriteConflict), transaction.atomic():
        entry_services.entry_create_draft(Payment, user=clerk, **payment_fields(grant))

    assert len(calls) == 1  # the outer transaction is lost: only its caller can start again


@pytest.mark.django_db
def test_a_conflict_no_service_caught_is_a_409_page_not_a_503(client, rf):
    from modellregionen.errors import server_error

    for path, kind in (("/intern/bescheide/neu/", "text/html"), ("/api/v1/decisions/", "application/json")):
        try:
            raise database_refusal()
        except OperationalError:
            response = server_error(rf.post(path))
        assert response.status_code == 409
        assert kind in response["Content-Type"]
        assert "Gleichzeitig hat jemand anderes" in response.content.decode()


@pytest.mark.django_db
def test_the_staff_form_shows_what_happened_and_keeps_the_input(monkeypatch, client, clerk, approver):
    from tests.staff.conftest import login

    grant = release_reviewed_decision(decision=DecisionFactory(amount=D("100000.00")), user=approver)
    refuse_first(monkeypatch, 100)
    login(client, clerk)

    response = client.post(
        f"/intern/bescheide/{grant.pk}/auszahlung/neu/",
        {"reference": "AUS-7", "amount": "1.000,00", "value_date": "2019-09-02", "source": "Testbeleg"},
    )

    page = response.content.decode()
    assert response.status_code in (200, 400, 409)
    assert "Gleichzeitig hat jemand anderes" in page
    assert 'value="AUS-7"' in page  # the clerk's input is still in the form
    assert not Payment.objects.filter(reference="AUS-7").exists()


@pytest.mark.django_db
def test_the_admin_answers_a_write_conflict_with_a_409_page_not_a_500(monkeypatch, clerk, approver):
    from django.test import Client

    from tests.staff.conftest import login

    grant = release_reviewed_decision(decision=DecisionFactory(amount=D("100000.00")), user=approver)
    refuse_first(monkeypatch, 100)
    clerk.is_staff = True
    clerk.save()
    client = Client(raise_request_exception=False)
    login(client, clerk)

    response = client.post(
        "/admin/funding/payment/add/",
        {"reference": "AUS-ADM", "decision": grant.pk, "amount": "1000.00", "value_date": "2019-09-02",
         "source": "Testbeleg"},
    )  # fmt: skip

    assert response.status_code == 409
    assert "Gleichzeitig hat jemand anderes" in response.content.decode()
    assert not Payment.objects.filter(reference="AUS-ADM").exists()
