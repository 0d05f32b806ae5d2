"""What every page says about who publishes it, and whether it shows demo data (a context processor)."""

from django.conf import settings
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

    Read from the current version's programme total, as every figures read is (one small
    query): does its latest step have any illustrative part, or none known?
    """
    from funding.figures.definitions import GROUPING_NUMBERS, ILLUSTRATIVE_PARTS
    from funding.figures.freshness import current_version_and_ledger
    from funding.figures.step_index import grouping_index

    version, _ledger = current_version_and_ledger()
    if version is None:
        return False
    for group in grouping_index(version, GROUPING_NUMBERS[""]).groups:
        if group.steps.days:
            latest = group.steps.stored_at(len(group.steps.days) - 1)
            return any(latest[part] != 0 for part in ILLUSTRATIVE_PARTS.values())  # None: not known
    return False


def site(request) -> dict:
    return {
        "publisher": SimpleLazyObject(publisher_name),
        "contact_email": settings.DATA_CONTACT_EMAIL,
        "shows_illustrative_records": SimpleLazyObject(_shows_illustrative_records),
    }
