"""funding.0007 converts the stored versions to integer steps and per-version groups.

A cited version must read the same after the upgrade as before it.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from funding.figures import engine
from funding.figures.selectors import figure_series, figures_for
from funding.models import FigureGroup, FiguresVersion
from tests.factories import ProjectFactory

BEFORE = ("funding", "0006_figurestep_version_without_db_constraint")


def migrate_to(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def migrate_to_latest():
    """Upgrade through 0007 to the latest migrations, as the tests that follow expect."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def old_step(steps, version, grouping, key, label, valid_from, valid_until, granted, applications):
    return steps.objects.create(
        version=version,
        grouping=grouping,
        group_key=key,
        group_label=label,
        valid_from=valid_from,
        valid_until=valid_until,
        funding_granted=granted,
        private_investment=Decimal("1000.00"),
        total_volume=granted + Decimal("1000.00"),
        budget_committed=granted / Decimal("91000000"),
        applications=applications,
    )


@pytest.mark.django_db(transaction=True)
def test_the_stored_versions_read_the_same_after_the_upgrade():
    old_apps = migrate_to(BEFORE)
    try:
        programme = old_apps.get_model("funding", "Programme").objects.create(
            slug="dmr",
            name="Digitale Modellregionen",
            funder="MWIDE",
            budget=Decimal("91000000.00"),
            start_date=dt.date(2018, 1, 1),
            end_date=dt.date(2023, 12, 31),
        )
        version = old_apps.get_model("funding", "FiguresVersion").objects.create(
            programme=programme, computed_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), is_current=True
        )
        steps = old_apps.get_model("funding", "FigureStep")
        day1, day2 = dt.date(2019, 6, 1), dt.date(2019, 9, 2)
        old_step(steps, version, "", "", "Gesamt", day1, day2, Decimal("160000.00"), 1)
        old_step(steps, version, "", "", "Gesamt", day2, None, Decimal("200000.55"), 2)
        old_step(steps, version, "region", "soest", "Soest", day1, None, Decimal("160000.00"), 1)
        old_step(steps, version, "region", "aachen", "Aachen", day2, None, Decimal("40000.55"), 1)
    finally:
        migrate_to_latest()

    version = FiguresVersion.objects.get()
    assert version.budget == Decimal("91000000.00")
    assert FigureGroup.objects.filter(version=version).count() == 3
    as_of_day2 = figures_for(as_of=dt.date(2019, 9, 2), version=version).rows[0].values
    assert as_of_day2["funding_granted"] == Decimal("200000.55")
    assert as_of_day2["total_volume"] == Decimal("201000.55")
    assert as_of_day2["applications"] == 2
    assert as_of_day2["budget_committed"] == Decimal("0.002198")
    regions = figures_for(as_of=dt.date(2019, 12, 31), group_by="region", version=version).rows
    assert [(row.group_key, row.group_label, row.values["funding_granted"]) for row in regions] == [
        ("aachen", "Aachen", Decimal("40000.55")),
        ("soest", "Soest", Decimal("160000.00")),
    ]
    series = figure_series(figure="funding_granted", version=version)
    assert [(point.date, point.value) for point in series] == [
        (dt.date(2019, 6, 1), Decimal("160000.00")),
        (dt.date(2019, 9, 2), Decimal("200000.55")),
    ]


@pytest.mark.django_db(transaction=True)
def test_migrating_back_drops_the_versions_it_cannot_convert_back():
    ProjectFactory()
    engine.recompute_figures()
    try:
        old_apps = migrate_to(BEFORE)
        assert not old_apps.get_model("funding", "FiguresVersion").objects.exists()
    finally:
        migrate_to_latest()
