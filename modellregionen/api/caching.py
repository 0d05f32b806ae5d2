"""HTTP caching: ETag and Last-Modified from the figures version and the data watermark.

The data watermark is the time of the last recorded change to any public record (every
change writes a history row), so an answer stays valid, and a 304 is safe, until either
a new figures version is published or a record changes.

Reading the watermark touches nine history tables; PostgreSQL spends more time planning that
statement (about 1.5 ms) than the whole rest of a kept answer costs. So each worker keeps the
watermark for at most WATERMARK_SECONDS: a change made through another process shows in this
worker's answers within that second, and a change made in this process at once (saving or
deleting a public record empties the memo, again after the commit). The figures version is
kept the same way (funding.figures.scope).
"""

import datetime as dt
import functools
import hashlib
import threading
import time
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
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


WATERMARK_SECONDS = 1.0
_memo = {"expires": 0.0, "value": None, "generation": 0}
_memo_lock = threading.Lock()


def memoised_data_watermark() -> dt.datetime | None:
    """data_watermark(), at most WATERMARK_SECONDS old (see the module's docstring)."""
    with _memo_lock:
        if time.monotonic() < _memo["expires"]:
            return _memo["value"]
        generation = _memo["generation"]
    value = data_watermark()
    with _memo_lock:
        # Not kept if a save emptied the memo while it was being read: it may be stale.
        if generation == _memo["generation"]:
            _memo.update(value=value, expires=time.monotonic() + WATERMARK_SECONDS)
    return value


def forget_data_watermark() -> None:
    with _memo_lock:
        _memo["expires"] = 0.0
        _memo["generation"] += 1


def _public_record_changed(sender, **kwargs) -> None:
    forget_data_watermark()
    # Again after the commit: a request between the save and the commit read the old state.
    transaction.on_commit(forget_data_watermark)


# One receiver per public model, named by label (the API kernel imports no app; Django resolves
# the label once the app is loaded). Not one receiver for every sender: a post_delete receiver
# without a sender makes Django load every row of every queryset delete instead of one DELETE
# (pruning a figures version then read 100 k steps into Python).
for _label in PUBLIC_MODELS:
    post_save.connect(_public_record_changed, sender=_label, dispatch_uid=f"api-data-watermark-save-{_label}")
    post_delete.connect(_public_record_changed, sender=_label, dispatch_uid=f"api-data-watermark-delete-{_label}")


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


# --- The state every anonymous answer is computed from -----------------------------------


@functools.cache
def _figures_state_reader():
    # The kernel imports no app: the settings name the function (funding.figures.scope).
    return import_string(settings.API_FIGURES_STATE)


# (second, local date): read on every kept answer, worked out at most once a second.
_today: tuple[int, dt.date | None] = (-1, None)


def _local_today() -> dt.date:
    global _today  # noqa: PLW0603 - one tuple, replaced whole: safe between threads
    second, date = _today
    now = int(time.time())
    if second != now:
        date = timezone.localdate()
        _today = (now, date)
    return date


def answer_state() -> tuple:
    """What an anonymous answer depends on besides the request: the same state, the same answer.

    Every answer's ETag is made of the request and of these (the figures versions, the data
    watermark, the ledger's change count, and today's date where a figure defaults to
    today), each kept per worker for at most a second; modellregionen.api.replay keeps
    complete answers by it.
    """
    return (_local_today(), memoised_data_watermark(), _figures_state_reader()())
