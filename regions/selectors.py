"""Reads for regions and municipalities."""

import datetime as dt

from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import Coalesce

from modellregionen.collation import in_german_order
from regions.models import Municipality, Region


def region_for_page(*, slug: str) -> Region:
    """One region with its lead municipality; raises Region.DoesNotExist."""
    return Region.objects.select_related("lead_municipality").get(slug=slug)


def region_members(*, region: Region) -> QuerySet:
    """The member municipalities of a region, Kreise first."""
    return Municipality.objects.filter(region=region).order_by("ags")


def regions_for_navigation() -> list[Region]:
    return in_german_order(Region.objects.all())


def municipality_choices() -> list[tuple[str, str]]:
    """Every NRW municipality and Kreis of the current directory as (AGS, name), sorted by name, for the suggestion list."""
    choices = Municipality.objects.listed().order_by("ags").values_list("ags", "name")
    return in_german_order(choices, name=lambda choice: choice[1])


def region_area_populations() -> dict[int, int]:
    """Inhabitants of each model region's area: the Gemeinden of its member cities and Kreise, each once.

    A member Kreis brings all its Gemeinden; a member town that lies in a member Kreis is
    counted once. Only Gemeinden of the current directory count; unknown populations count 0.
    """
    members: dict[int, set[str]] = {}
    for region_id, ags in Municipality.objects.filter(region__isnull=False).values_list("region_id", "ags"):
        members.setdefault(region_id, set()).add(ags)
    gemeinden = list(Municipality.objects.listed().gemeinden().values_list("ags", "parent_id", "population"))
    return {
        region_id: sum(pop or 0 for ags, parent, pop in gemeinden if ags in keys or parent in keys)
        for region_id, keys in members.items()
    }


def programme_area_population() -> int:
    """Inhabitants of the area of all five model regions together, each Gemeinde once."""
    keys = set(Municipality.objects.filter(region__isnull=False).values_list("ags", flat=True))
    gemeinden = Municipality.objects.listed().gemeinden().values_list("ags", "parent_id", "population")
    return sum(pop or 0 for ags, parent, pop in gemeinden if ags in keys or parent in keys)


def nrw_directory_totals() -> tuple[int, int, dt.date | None]:
    """(Gemeinden, inhabitants, Gebietsstand) of NRW in the current directory."""
    listed = Municipality.objects.listed().gemeinden()
    totals = listed.aggregate(count=Count("ags"), population=Sum("population"), date=Max("directory_date"))
    return totals["count"], totals["population"] or 0, totals["date"]


def region_slug_by_gemeinde() -> dict[str, str]:
    """The model region of each Gemeinde (8-digit AGS) in one: its own, or that of its Kreis."""
    gemeinden = (
        Municipality.objects.listed()
        .gemeinden()
        .annotate(region_slug=Coalesce("region__slug", "parent__region__slug"))
        .filter(region_slug__isnull=False)
    )
    return dict(gemeinden.values_list("ags", "region_slug"))
