"""The cold read path of the figures (issue 28): a kept index of a version's steps, few queries, the same bytes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funding.figures import engine
from funding.figures.api import (
    FiguresMetaSerializer,
    FiguresResponseSerializer,
    FiguresRowSerializer,
    _meta,
    represent_meta,
    represent_row,
)
from funding.figures.definitions import GROUPING_NUMBERS, GROUPINGS
from funding.figures.freshness import LedgerPosition, current_version_and_ledger
from funding.figures.selectors import current_figures_version, default_programme, figures_for
from funding.figures.step_index import grouping_index
from funding.models import DecisionKind, FiguresVersion
from tests.api.conftest import released
from tests.factories import recorded

DAYS = [dt.date(2019, 5, 31), dt.date(2019, 12, 6), dt.date(2020, 1, 9), dt.date(2020, 1, 10), dt.date(2022, 6, 30)]


def test_a_row_is_represented_exactly_as_the_serializer_represents_it(published):
    for group_by in [None, *GROUPINGS]:
        for day in [*DAYS, timezone.localdate()]:
            for row in figures_for(as_of=day, group_by=group_by, version=published).rows:
                fast = represent_row(row)
                slow = FiguresRowSerializer(row).data
                assert fast == slow, (group_by, day, row.group_key)
                assert list(fast["values"]) == list(slow["values"])
                assert list(fast["illustrative_shares"]) == list(slow["illustrative_shares"])


def test_an_answers_head_is_represented_exactly_as_the_serializer_represents_it(published, rf):
    request = rf.get("/api/v1/figures/")
    meta = _meta(request, programme=published.programme, version=published, path="/x/", pinned={}, stand="Stand")
    since = dt.datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)
    counts = published.includes_change_count
    for ledger in [
        LedgerPosition(change_count=counts, unpublished_since=None),  # current
        LedgerPosition(change_count=counts + 3, unpublished_since=since),  # behind since a change
        LedgerPosition(change_count=counts + 1, unpublished_since=None),
    ]:
        for is_current in [True, False]:
            meta["version"]["is_current"] = is_current
            fast = represent_meta(meta, ledger=ledger)
            assert fast == FiguresMetaSerializer(meta, context={"ledger": ledger}).data, (ledger, is_current)
            assert list(fast["version"]) == list(FiguresMetaSerializer().fields["version"].fields)


def test_the_current_version_read_in_one_query_is_what_the_orm_reads(published):
    for programme in [None, published.programme]:
        version, ledger = current_version_and_ledger(programme=programme)
        expected = FiguresVersion.objects.select_related("programme").get(
            programme=programme or default_programme(), is_current=True
        )
        fields = [field.attname for field in type(expected)._meta.concrete_fields]
        assert [getattr(version, name) for name in fields] == [getattr(expected, name) for name in fields]
        programme_fields = [field.attname for field in type(expected.programme)._meta.concrete_fields]
        assert [getattr(version.programme, name) for name in programme_fields] == [
            getattr(expected.programme, name) for name in programme_fields
        ]
        assert ledger.change_count == published.includes_change_count


def test_the_answer_carries_the_serializers_fields_in_its_order(published, api):
    body = api.get("/api/v1/figures/", {"as_of": "2020-01-10", "group_by": "region"}).json()

    assert list(body) == list(FiguresResponseSerializer().fields)
    assert list(body["version"]) == list(FiguresResponseSerializer().fields["version"].fields)
    assert body["version"]["includes_latest_change"] is True
    assert body["version"]["behind_since"] is None


def test_a_cold_read_of_a_kept_version_is_one_small_query(published, api, settings):
    settings.FIGURES_ANSWER_CACHE_SECONDS = 0  # no rendered answer to fall back on
    for group_by in GROUPINGS:
        api.get("/api/v1/figures/", {"as_of": "2019-12-06", "group_by": group_by})

    for group_by in GROUPINGS:
        for day in DAYS:
            with CaptureQueriesContext(connection) as queries:
                response = api.get("/api/v1/figures/", {"as_of": day.isoformat(), "group_by": group_by})
            assert response.status_code == 200
            # The current version with its programme and the ledger's change count.
            assert len(queries) == 1, [query["sql"] for query in queries]


def test_an_increment_reads_only_the_groups_it_touched_and_shares_the_others(ledger, published, approver):
    before = {group.key: group.steps for group in grouping_index(published, GROUPING_NUMBERS["region"]).groups}
    granted_before = {
        row.group_key: row.values["funding_granted"]
        for row in figures_for(as_of=timezone.localdate(), group_by="region", version=published).rows
    }
    recorded(
        released(
            approver=approver,
            reference="AZ-S-INC",
            kind=DecisionKind.AMENDMENT,
            amends=ledger["portal_grant"],
            project=ledger["portal"],
            recipient=ledger["portal_grant"].recipient,
            authority=ledger["authority"],
            decision_date=dt.date(2021, 3, 1),
            amount=Decimal("1000.00"),
        )
    )
    engine.publish_figures(full=False)
    newer = current_figures_version()
    assert newer.pk != published.pk and newer.based_on_id == published.pk

    after = {group.key: group.steps for group in grouping_index(newer, GROUPING_NUMBERS["region"]).groups}
    assert after["wuppertal"] is before["wuppertal"]  # untouched: the same steps, not read again
    assert after["soest"] is not before["soest"]
    granted_after = {
        row.group_key: row.values["funding_granted"]
        for row in figures_for(as_of=timezone.localdate(), group_by="region", version=newer).rows
    }
    assert granted_after["soest"] == granted_before["soest"] + Decimal("1000.00")
    assert granted_after["wuppertal"] == granted_before["wuppertal"]
    # The cited version still answers what it published.
    cited = figures_for(as_of=timezone.localdate(), group_by="region", version=published).rows
    assert {row.group_key: row.values["funding_granted"] for row in cited} == granted_before


@pytest.mark.parametrize("group_by", [None, *GROUPINGS])
def test_every_day_answers_what_the_steps_in_force_say(published, group_by):
    """The in-memory lookup against the database's: the last step on or before the day, per group."""
    from funding.figures.selectors import step_values, version_steps
    from funding.figures.step_index import STEP_COLUMNS
    from funding.models import FigureGroup

    grouping = GROUPING_NUMBERS[group_by or ""]
    groups = {
        member: (key, population)
        for member, key, population in FigureGroup.objects.filter(version=published, grouping=grouping).values_list(
            "member", "key", "population"
        )
    }
    steps = list(
        version_steps(published)
        .filter(grouping=grouping)
        .order_by("valid_from")
        .values("member", "valid_from", *STEP_COLUMNS)
    )
    days = sorted({step["valid_from"] for step in steps} | set(DAYS))
    for day in [*days, *(d - dt.timedelta(days=1) for d in days)]:
        expected = {}
        for step in steps:
            if step["valid_from"] <= day:
                key, population = groups[step["member"]]
                expected[key] = step_values(step, version=published, area_population=population)
        for row in figures_for(as_of=day, group_by=group_by, version=published).rows:
            if row.group_key in expected:
                assert row.values == expected[row.group_key], (day, row.group_key)
            else:
                assert all(not value for value in row.values.values()), (day, row.group_key)
