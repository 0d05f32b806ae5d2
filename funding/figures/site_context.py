"""What every page says about who publishes it, and whether it shows demo data (a context processor)."""

from django.conf import settings
from django.db.models import Q, Subquery
from django.utils.functional import SimpleLazyObject


def publisher_name() -> str:
    """The one name of who publishes the record: the funding ministry of the default programme.

    The Impressum, the data page, DCAT, the feed and every citation name it from the same field
    (Programme.funder), so the record never names two ministries.
    """
    from funding.figures.selectors import default_programme

    programme = default_programme()
    return programme.funder if programme else ""


def _shows_illustrative_records() -> bool:
    """Whether today's figures of the default programme rest on illustrative records: the app runs on demo data.

    One indexed lookup: does the programme total's latest step in the current version have any
    illustrative part (or none known)?
    """
    from funding.figures.definitions import GROUPING_NUMBERS, ILLUSTRATIVE_PARTS
    from funding.figures.selectors import default_programme_id
    from funding.models import FigureGroup, FigureStep

    any_part = Q()
    for part in ILLUSTRATIVE_PARTS.values():
        column = FigureStep.column_of(part)
        any_part |= ~Q(**{column: 0}) | Q(**{f"{column}__isnull": True})
    total = GROUPING_NUMBERS[""]
    steps_of_the_total = FigureGroup.objects.filter(
        version__is_current=True, version__programme_id=default_programme_id(), grouping=total, member=0
    ).values("steps_from_id")[:1]
    return FigureStep.objects.filter(
        any_part, version_id=Subquery(steps_of_the_total), grouping=total, member=0, valid_until__isnull=True
    ).exists()


def site(request) -> dict:
    return {
        "publisher": SimpleLazyObject(publisher_name),
        "contact_email": settings.DATA_CONTACT_EMAIL,
        "shows_illustrative_records": SimpleLazyObject(_shows_illustrative_records),
    }
