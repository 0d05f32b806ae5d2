"""Funding per inhabitant and the programme's reach (issue 13), on the programme data."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Q, Sum
from django.utils import timezone

from funding.figures import engine
from funding.figures.selectors import figures_for
from funding.figures.verify import figures_verify
from funding.models import FiguresVersion
from projects.models import TransferRequest
from regions.models import Municipality, MunicipalityKind
from tests.pages.test_dashboard import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(programme_data):
    """The programme data with its figures (loaded once for this module)."""


def gemeinden():
    return Municipality.objects.filter(in_directory=True).exclude(kind__in=MunicipalityKind.district_level())


def population(queryset) -> int:
    return queryset.aggregate(total=Sum("population"))["total"]


def test_funding_per_inhabitant_divides_by_the_area_each_region_covers(published):
    today = dt.date.today()
    total = figures_for(as_of=today).rows[0].values
    by_region = {row.group_key: row.values for row in figures_for(as_of=today, group_by="region").rows}
    # OWL: the city of Bielefeld and every Gemeinde of the Kreis Paderborn (Paderborn and
    # Delbrück, members themselves, counted once).
    owl_area = population(gemeinden().filter(Q(ags="05711000") | Q(parent_id="05774")))
    all_regions = population(gemeinden().filter(Q(region__isnull=False) | Q(parent__region__isnull=False)))

    assert by_region["owl"]["funding_per_inhabitant"] == (by_region["owl"]["funding_granted"] / owl_area).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert total["funding_per_inhabitant"] == (total["funding_granted"] / all_regions).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert 3_000_000 < all_regions < 3_500_000  # five regions of NRW's 18 million


def test_reach_counts_gemeinden_once_with_their_population_and_leaves_kreise_out(published):
    values = figures_for(as_of=dt.date.today()).rows[0].values
    asked = TransferRequest.objects.values_list("municipality_id", flat=True).distinct()
    reached = gemeinden().filter(ags__in=asked)

    assert values["requesting_gemeinden"] == reached.count()
    assert values["requesting_gemeinden"] < values["requesting_municipalities"]  # Kreise asked too
    assert values["reach_population"] == population(reached)
    assert values["reach_gemeinden_share"] == (Decimal(reached.count()) / 396).quantize(
        Decimal("0.000001"), rounding=ROUND_HALF_UP
    )
    assert values["reach_population_share"] == (Decimal(population(reached)) / population(gemeinden())).quantize(
        Decimal("0.000001"), rounding=ROUND_HALF_UP
    )
    assert figures_verify() == []


def test_a_new_gemeinde_asking_reaches_further_as_of_its_date(published):
    before = figures_for(as_of=dt.date.today()).rows[0].values
    day_before_before = figures_for(as_of=dt.date(2022, 5, 1)).rows[0].values
    hille = Municipality.objects.get(ags="05770012")
    assert not TransferRequest.objects.filter(municipality=hille).exists()
    TransferRequest.objects.create(
        confirmed_at=timezone.now(),  # recorded by staff or the programme data: counted
        project=TransferRequest.objects.first().project,
        municipality=hille,
        received_on=dt.date(2022, 5, 2),
        contact_name="Rathaus",
        contact_email="rathaus@hille.example",
    )
    engine.recompute_figures()

    after = figures_for(as_of=dt.date.today()).rows[0].values
    on_the_day_before = figures_for(as_of=dt.date(2022, 5, 1)).rows[0].values

    assert after["requesting_gemeinden"] == before["requesting_gemeinden"] + 1
    assert after["reach_population"] == before["reach_population"] + hille.population
    assert on_the_day_before["reach_population"] == day_before_before["reach_population"]  # not yet
    assert figures_verify() == []


def test_a_version_from_before_the_reach_figures_says_not_known_instead_of_zero(published, client):
    version = FiguresVersion.objects.filter(is_current=True).order_by("id").first()
    # As older code wrote it: another computation (a published version never changes, so a
    # worker's index of this one, read by an earlier test, must not apply).
    FiguresVersion.objects.filter(pk=version.pk).update(
        nrw_population=None, nrw_gemeinden=None, computed_at=version.computed_at - dt.timedelta(seconds=1)
    )
    version.groups.update(population=None)
    version.steps.update(requesting_gemeinden=None, reach_population=None)

    data = client.get(f"/api/v1/figures/?version={version.pk}").json()

    values = data["rows"][0]["values"]
    assert values["reach_population_share"] is None
    assert values["funding_per_inhabitant"] is None
    assert values["funding_granted"] == str(figures_for(as_of=dt.date.today()).rows[0].values["funding_granted"])


def test_the_dashboard_and_the_region_pages_show_the_new_figures(published, client):
    dashboard = text_of(client.get("/"))
    region = text_of(client.get("/regionen/owl/"))

    assert "Förderung je Einwohner" in dashboard
    assert "Erreichte Gemeinden" in dashboard or "erreichte Gemeinden" in dashboard
    assert "Förderung je Einwohner" in region
