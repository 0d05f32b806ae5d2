"""HTTP caching: ETag and Last-Modified from the figures version and the data watermark.

The data watermark is the time of the last recorded change to any public record (every
change writes a history row), so an answer stays valid, and a 304 is safe, until either
a new figures version is published or a record changes. Both are read from the database on
every request: no worker keeps an older state than another one has already answered from.
"""

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass

from django.apps import apps
from django.db import connection
from django.utils.dateparse import parse_datetime
from django.utils.timezone import make_aware

# The models whose changes the public API shows (their history tables are read).
PUBLIC_MODELS = (
    "funding.Programme",
    "funding.GrantingAuthority",
    "funding.Recipient",
    "funding.FundingDecision",
    "funding.Payment",
    "funding.Recovery",
    "projects.Topic",
    "projects.Project",
    "projects.TransferRequest",
    "regions.Region",
    "regions.Municipality",
)

# Bump when the shape of the answers changes, so clients do not keep an old body.
API_REVISION = "1"


@functools.cache
def _watermark_statement(vendor: str) -> str:
    """The watermark query, built once: looking up the history tables costs more than the query."""
    tables = [apps.get_model(label).history.model._meta.db_table for label in PUBLIC_MODELS]
    quote = connection.ops.quote_name
    # Only our own table names go into the statement; there is no user input in it.
    union = " UNION ALL ".join(
        f"SELECT MAX(history_date) AS changed FROM {quote(table)}"  # noqa: S608
        for table in tables
    )
    return f"SELECT MAX(changed) FROM ({union}) AS changes"  # noqa: S608


def data_watermark() -> dt.datetime | None:
    """The time of the last change to any public record, in one indexed query."""
    with connection.cursor() as cursor:
        cursor.execute(_watermark_statement(connection.vendor))
        value = cursor.fetchone()[0]
    if isinstance(value, str):  # SQLite returns text from an aggregate over a subquery
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = make_aware(value, dt.UTC)
    return value


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: dt.datetime | None


def make_validators(*, parts: list[str], last_modified: dt.datetime | None) -> Validators:
    """A strong ETag over everything the answer depends on."""
    digest = hashlib.sha256("\x1f".join([API_REVISION, *parts]).encode()).hexdigest()[:32]
    return Validators(etag=f'"{digest}"', last_modified=last_modified)


def latest(*moments: dt.datetime | None) -> dt.datetime | None:
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None
