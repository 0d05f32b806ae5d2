"""Writers on one project queue, they never deadlock (PostgreSQL; SQLite writes one at a time anyway).

Three people at once on one project, each through the services: a clerk drafting amendments, an
approver releasing amendments another clerk drafted, and a second clerk drafting payments on
the grant. Every write must succeed: the four-eyes machinery locks the project or grant first
(FOR NO KEY UPDATE), the entry next and the ledger's change count last
(funding/four_eyes.py), so no two writers wait for each other.
"""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from funding import services
from funding.choices import DecisionKind
from funding.four_eyes import review_digest
from funding.models import FundingDecision
from funding.payments import services as entry_services
from funding.payments.models import Payment
from modellregionen import roles
from tests.factories import DecisionFactory, UserFactory, release_reviewed_decision

ROUNDS = 12


def _amendment_fields(grant, reference: str) -> dict:
    return {
        "reference": reference,
        "project": grant.project,
        "recipient": grant.recipient,
        "authority": grant.authority,
        "kind": DecisionKind.AMENDMENT,
        "amends": grant,
        "decision_date": dt.date(2019, 7, 1),
        "amount": Decimal("10.00"),
        "eligible_costs": Decimal("20.00"),
        "period_start": grant.period_start,
        "period_end": grant.period_end,
        "source": "Test",
    }


def _run_together(*jobs) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def run(job):
        try:
            start.wait()
            job()
        except BaseException as error:  # noqa: BLE001 - reported below, with every other one
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.fixture
def writers_at_once(transactional_db, monkeypatch):
    """Several threads writing, each on its own connection (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    # The writes are under test, not the recomputes they schedule (which run in-process in the
    # tests, and Celery's in-process runs are not meant for several threads at once).
    monkeypatch.setattr("funding.figures.scheduling.schedule_figures_recompute", lambda: None)
    return UserFactory(username="bernd", roles=[roles.CLERK])


def test_drafting_releasing_and_booking_on_one_project_at_once_never_deadlocks(writers_at_once, approver, clerk):
    other_clerk = writers_at_once
    grant = release_reviewed_decision(
        decision=DecisionFactory(amount=Decimal("100000.00"), eligible_costs=Decimal("125000.00")), user=approver
    )
    to_release = [
        services.decision_create_draft(user=other_clerk, **_amendment_fields(grant, f"AZ-R-{n}")) for n in range(ROUNDS)
    ]

    def draft_amendments():
        for n in range(ROUNDS):
            services.decision_create_draft(user=clerk, **_amendment_fields(grant, f"AZ-D-{n}"))

    def release_amendments():
        for draft in to_release:
            services.decision_release(decision=draft, user=approver, reviewed=review_digest(draft))

    def draft_payments():
        for n in range(ROUNDS):
            entry_services.entry_create_draft(
                Payment,
                user=other_clerk,
                reference=f"AUS-{n}",
                decision=grant,
                amount=Decimal("100.00"),
                value_date=dt.date(2019, 9, 1),
                source="Test",
            )

    errors = _run_together(draft_amendments, release_amendments, draft_payments)

    assert errors == []
    assert FundingDecision.objects.filter(reference__startswith="AZ-D-").count() == ROUNDS
    assert FundingDecision.objects.released().filter(reference__startswith="AZ-R-").count() == ROUNDS
    assert Payment.objects.count() == ROUNDS


def test_an_import_across_grants_while_their_payments_are_released_never_deadlocks(writers_at_once, approver, clerk):
    """An import locks every grant it books on first, in one order, as the machinery does for one write."""
    from funding.importing import run_import
    from funding.payments.importing import PAYMENTS

    other_clerk = writers_at_once
    grants = [
        release_reviewed_decision(decision=DecisionFactory(amount=Decimal("100000.00")), user=approver)
        for _grant in range(3)
    ]
    to_release = [
        entry_services.entry_create_draft(
            Payment,
            user=other_clerk,
            reference=f"AUS-R-{grant.pk}-{n}",
            decision=grant,
            amount=Decimal("10.00"),
            value_date=dt.date(2019, 9, 1),
            source="Test",
        )  # fmt: skip
        for n in range(ROUNDS)
        for grant in grants
    ]
    # Rows in an order no lock order follows: the last grant first.
    rows = [
        {
            "reference": f"AUS-I-{n}-{grant.pk}",
            "decision": grant.reference,
            "amount": "10.00",
            "value_date": "2019-09-02",
            "source": "Import",
        }  # fmt: skip
        for n in range(ROUNDS)
        for grant in reversed(grants)
    ]

    def import_payments():
        for _batch in range(3):
            run_import(
                rows=[{**row, "reference": f"{row['reference']}-{_batch}"} for row in rows], fmt=PAYMENTS, user=clerk
            )

    def release_payments():
        for draft in to_release:
            entry_services.entry_release(entry=draft, user=approver, reviewed=review_digest(draft))

    errors = _run_together(import_payments, release_payments)

    assert errors == []
    assert Payment.objects.filter(reference__startswith="AUS-I-").count() == 3 * len(rows)
    assert Payment.objects.released().filter(reference__startswith="AUS-R-").count() == len(to_release)
