"""Paid out, outflow rate, still to be paid, reclaimed and the proofs of use, as of any date (issue 17)."""

import datetime as dt
from decimal import Decimal

import pytest

from funding.choices import DecisionKind, ProofOfUseResult, RecoveryKind
from funding.figures import engine
from funding.figures.selectors import figures_for
from funding.figures.verify import figures_verify
from funding.payments import services
from funding.payments.models import Payment, Recovery
from tests.factories import (
    DecisionFactory,
    GrantingAuthorityFactory,
    ProjectFactory,
    release_reviewed_decision,
    release_reviewed_entry,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ledger(clerk, approver):
    """Two grants in two regions: payments, a correction, a partial revocation with a claim, proofs of use."""
    first = release_reviewed_decision(
        decision=DecisionFactory(amount=D("100000.00"), eligible_costs=D("125000.00"), own_share=D("25000.00")),
        user=approver,
    )
    second = release_reviewed_decision(
        decision=DecisionFactory(
            project=ProjectFactory(),
            authority=GrantingAuthorityFactory(slug="bezreg-detmold", name="Bezirksregierung Detmold"),
            decision_date=dt.date(2020, 2, 1),
            amount=D("50000.00"),
            eligible_costs=D("62500.00"),
            own_share=D("12500.00"),
        ),
        user=approver,
    )

    def book(model, **fields):
        reference = f"B-{Payment.objects.count() + Recovery.objects.count() + 1}"
        entry = services.entry_create_draft(model, source="Testbeleg", user=clerk, reference=reference, **fields)
        return release_reviewed_entry(entry=entry, user=approver)

    paid = book(Payment, decision=first, amount=D("60000.00"), value_date=dt.date(2019, 9, 2))
    book(Payment, decision=first, amount=D("-1000.00"), value_date=dt.date(2019, 9, 20), corrects=paid)
    book(Payment, decision=second, amount=D("20000.00"), value_date=dt.date(2020, 12, 30))
    book(Payment, decision=second, amount=D("30000.00"), value_date=dt.date(2021, 1, 4))
    # A partial revocation of the first grant, and the claim that follows.
    revocation = DecisionFactory(
        project=first.project,
        recipient=first.recipient,
        authority=first.authority,
        kind=DecisionKind.REVOCATION,
        amends=first,
        decision_date=dt.date(2021, 3, 1),
        amount=D("-49000.00"),
        eligible_costs=D("0.00"),
        own_share=D("0.00"),
    )
    release_reviewed_decision(decision=revocation, user=approver)
    book(
        Recovery,
        decision=first,
        kind=RecoveryKind.CLAIM,
        amount=D("8000.00"),
        booked_on=dt.date(2021, 3, 15),
        reason="Teilwiderruf",
    )
    book(Recovery, decision=first, kind=RecoveryKind.REPAYMENT, amount=D("8000.00"), booked_on=dt.date(2021, 5, 3))
    # Proofs of use: the first due 30.12.2021 and received late on 15.02.2022; the second
    # due 30.12.2021 as well and still missing.
    services.proof_of_use_record(
        decision=first,
        user=clerk,
        received_on=dt.date(2022, 2, 15),
        checked_on=dt.date(2022, 3, 1),
        result=ProofOfUseResult.ACCEPTED_WITH_RECLAIM,
    )
    services.proof_of_use_record(decision=second, user=clerk)
    engine.recompute_figures()
    return {"first": first, "second": second}


def total(day: dt.date) -> dict:
    return figures_for(as_of=day).rows[0].values


def test_paid_out_and_the_outflow_rate_follow_the_value_dates(ledger):
    assert total(dt.date(2019, 9, 1))["paid_out"] == D("0.00")
    assert total(dt.date(2019, 9, 2))["paid_out"] == D("60000.00")
    assert total(dt.date(2019, 9, 20))["paid_out"] == D("59000.00")
    end_2020 = total(dt.date(2020, 12, 31))
    assert end_2020["paid_out"] == D("79000.00")
    assert end_2020["funding_granted"] == D("150000.00")
    assert end_2020["outflow_rate"] == D("0.526667")
    assert end_2020["still_to_pay"] == D("71000.00")


def test_after_a_revocation_more_is_paid_than_granted_and_a_claim_is_recorded(ledger):
    after = total(dt.date(2021, 3, 31))

    assert after["funding_granted"] == D("101000.00")
    assert after["paid_out"] == D("109000.00")
    assert after["still_to_pay"] == D("-8000.00")
    assert after["reclaimed"] == D("8000.00")
    assert total(dt.date(2021, 3, 14))["reclaimed"] == D("0.00")
    # Once the claim is repaid, the money has flowed back: paid out equals the grant again.
    repaid = total(dt.date(2021, 5, 3))
    assert (repaid["paid_out"], repaid["still_to_pay"], repaid["outflow_rate"]) == (
        D("101000.00"),
        D("0.00"),
        D("1.000000"),
    )


def test_proofs_of_use_are_due_received_and_overdue_as_of_each_date(ledger):
    assert total(dt.date(2021, 12, 29))["proofs_due"] == 0
    on_deadline = total(dt.date(2021, 12, 30))
    assert (on_deadline["proofs_due"], on_deadline["proofs_overdue"]) == (2, 0)
    day_after = total(dt.date(2021, 12, 31))
    assert (day_after["proofs_due"], day_after["proofs_received"], day_after["proofs_overdue"]) == (2, 0, 2)
    later = total(dt.date(2022, 2, 15))
    assert (later["proofs_received"], later["proofs_overdue"]) == (1, 1)


def test_payments_count_under_their_grant_authority_and_in_the_year_of_their_value_date(ledger):
    by_year = {row.group_key: row.values for row in figures_for(as_of=dt.date(2021, 12, 31), group_by="year").rows}
    by_authority = {
        row.group_key: row.values for row in figures_for(as_of=dt.date(2021, 12, 31), group_by="authority").rows
    }

    assert by_year["2019"]["paid_out"] == D("59000.00")
    assert by_year["2020"]["paid_out"] == D("20000.00")
    assert by_year["2021"]["paid_out"] == D("22000.00")  # 30.000 paid, 8.000 repaid
    assert by_year["2021"]["proofs_due"] == 2
    assert by_authority["bezreg-detmold"]["paid_out"] == D("50000.00")
    assert by_authority["bezreg-detmold"]["outflow_rate"] == D("1.000000")


def test_verify_recomputes_every_new_figure_from_the_ledger_and_finds_no_drift(ledger):
    assert figures_verify() == []


def test_a_drafted_payment_changes_no_figure(ledger, clerk, approver):
    third = release_reviewed_decision(decision=DecisionFactory(project=ProjectFactory()), user=approver)
    services.entry_create_draft(
        Payment,
        source="Testbeleg",
        user=clerk,
        reference="DRAFT-1",
        decision=third,
        amount=D("1.00"),
        value_date=dt.date(2022, 1, 3),
    )
    engine.recompute_figures()

    assert total(dt.date(2022, 12, 31))["paid_out"] == D("101000.00")
    assert figures_verify() == []


def test_a_grants_money_adds_up_to_the_published_figures_on_every_day(ledger):
    """funding/payments/money.py is the per-grant reading of the published figures: the sums agree."""
    from funding.payments import money

    grants = [ledger["first"], ledger["second"]]
    days = [dt.date(2019, 6, 1) + dt.timedelta(days=step) for step in range(0, 1100, 9)]
    days += [dt.date(2019, 9, 20), dt.date(2021, 3, 1), dt.date(2021, 3, 15), dt.date(2021, 5, 3)]
    for day in days:
        published = total(day)
        granted = sum(money.net_granted(grant, as_of=day) for grant in grants)
        assert granted == published["funding_granted"], day
        assert money.paid_out(grants, as_of=day) == published["paid_out"], day
        assert sum(money.still_to_pay(grant, as_of=day) for grant in grants) == published["still_to_pay"], day
