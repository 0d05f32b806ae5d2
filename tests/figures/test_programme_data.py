"""The programme data reproduces the published record of DESIGN.md, through the engine."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from funding.figures import engine
from funding.figures.selectors import default_programme, figures_for
from funding.figures.verify import figures_verify
from funding.models import Programme

pytestmark = pytest.mark.django_db

MILLION = Decimal(1_000_000)


@pytest.fixture
def published(capsys):
    call_command("load_programme_data")
    engine.recompute_figures()
    capsys.readouterr()


def as_of(year, month, day, **kwargs):
    return figures_for(as_of=dt.date(year, month, day), **kwargs).rows[0].values


def millions(value, places=1):
    return round(value / MILLION, places)


def test_the_programme_data_reproduces_the_published_record_through_the_engine(published):
    """One test for the whole table: loading the data takes a while."""
    programme = default_programme()
    assert programme.slug == "digitale-modellregionen"
    assert programme.budget == Decimal("91000000.00")  # Kommunal, 15.01.2018
    assert len(figures_for(as_of=dt.date(2023, 6, 30), group_by="region").rows) == 5

    assert as_of(2019, 7, 17)["applications"] > 50  # Stadt Paderborn, 17.07.2019

    values = as_of(2019, 12, 6)  # Kommune21, 06.12.2019
    assert values["funded_projects"] == 42
    assert millions(values["funding_granted"]) == Decimal("56.6")
    assert millions(values["private_investment"], 0) == 24
    assert millions(values["total_volume"]) == Decimal("80.9")
    # The Gewerbe-Service-Portal is a line of its own, about 7 M€, not in the 56.6.
    portal = Programme.objects.get(slug="gewerbe-service-portal-nrw")
    assert millions(as_of(2019, 12, 6, programme=portal)["funding_granted"], 0) == 7

    assert as_of(2020, 3, 31)["transfer_requests"] > 270  # MWIDE, Monitoring März 2020

    values = as_of(2020, 10, 26)  # MWIDE programme page
    assert values["applications"] == 110
    assert values["project_offices"] == 5
    assert values["funded_projects"] == 65
    assert millions(values["funding_granted"], 0) == 73
    assert values["eligible_investment"] > 100 * MILLION

    assert 60 <= as_of(2021, 6, 30)["requesting_municipalities"] <= 70  # about 65

    assert figures_verify() == []
