"""Every figure carries the share of its value that rests on illustrative records (issue 27)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from funding.figures import engine, selectors
from funding.models import FundingDecision
from funding.payments.models import Payment
from funding.provenance import illustrative_q, is_illustrative

DAY = dt.date(2019, 12, 6)


def _total(as_of=DAY, group_by=None):
    return selectors.figures_for(as_of=as_of, group_by=group_by)


def test_the_share_of_money_is_the_illustrative_records_money_over_the_figure(programme_data):
    released = FundingDecision.objects.released().filter(
        project__programme__slug="digitale-modellregionen", decision_date__lte=DAY
    )
    whole = released.aggregate(s=Sum("amount"))["s"]
    part = released.filter(illustrative_q()).aggregate(s=Sum("amount"))["s"]
    row = _total().rows[0]

    assert row.values["funding_granted"] == whole
    assert row.illustrative_shares["funding_granted"] == (part / whole).quantize(Decimal("0.0001"))
    assert Decimal(0) < row.illustrative_shares["funding_granted"] < Decimal(1)


def test_figures_that_rest_only_on_illustrative_records_say_so(programme_data):
    assert not Payment.objects.exclude(illustrative_q()).exists()
    today = dt.date.today()
    shares = _total(as_of=today).rows[0].illustrative_shares

    assert shares["paid_out"] == Decimal(1)
    assert shares["outflow_rate"] == Decimal(1)  # a ratio rests on its most illustrative input
    assert shares["transfer_requests"] == Decimal(1)
    assert shares["requesting_municipalities"] == Decimal(1)


def test_every_grouping_carries_shares_and_a_share_is_between_zero_and_one(programme_data):
    for group_by in (None, "region", "strand", "topic", "year", "authority"):
        for row in _total(as_of=dt.date.today(), group_by=group_by).rows:
            for key, share in row.illustrative_shares.items():
                assert share is not None and Decimal(0) <= share <= Decimal(1), (group_by, row.group_key, key)


def test_a_municipality_stops_counting_as_illustrative_from_its_first_published_request(programme_data):
    from projects.models import TransferRequest

    request = TransferRequest.objects.counted().order_by("received_on").first()
    before = _total(as_of=dt.date.today()).rows[0]
    TransferRequest.objects.create(
        project=request.project,
        municipality=request.municipality,
        received_on=request.received_on,
        kind=request.kind,
        contact_name="Stadtverwaltung",
        contact_email="post@example.test",
        source="Anfrageformular",
        confirmed_at=request.created_at,
    )
    engine.recompute_figures()
    after = _total(as_of=dt.date.today()).rows[0]

    assert after.values["requesting_municipalities"] == before.values["requesting_municipalities"]
    assert after.illustrative_shares["requesting_municipalities"] < Decimal(1)
    assert after.illustrative_shares["transfer_requests"] < Decimal(1)


def test_the_one_rule_for_what_is_illustrative():
    assert is_illustrative("illustrative")
    assert is_illustrative("Illustrative: generiert von fixtures/generate_payments.py")
    assert not is_illustrative("Pressemitteilung Stadt Soest: 475.222 €; Datum illustrativ")
    assert not is_illustrative("Bescheid vom 06.12.2019")
