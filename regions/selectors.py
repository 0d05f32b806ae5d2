"""Reads for regions and municipalities."""

from django.db.models import QuerySet

from regions.models import Municipality, Region


def region_for_page(*, slug: str) -> Region:
    """One region with its lead municipality; raises Region.DoesNotExist."""
    return Region.objects.select_related("lead_municipality").get(slug=slug)


def region_members(*, region: Region) -> QuerySet:
    """The member municipalities of a region, Kreise first."""
    return Municipality.objects.filter(region=region).order_by("ags")


def regions_for_navigation() -> list[Region]:
    return list(Region.objects.order_by("name"))


def municipality_choices() -> list[tuple[str, str]]:
    """Every NRW municipality and Kreis as (AGS, name), sorted by name, for the request form."""
    return list(Municipality.objects.order_by("name", "ags").values_list("ags", "name"))
