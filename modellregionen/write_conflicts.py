"""Writes that meet another writer: retried a few times, then refused with a message that says so.

Two clerks on one project, or an import while someone releases, can make PostgreSQL abort one
transaction (a deadlock, or a serialization failure) and SQLite report its file as locked.
The transaction was rolled back as a whole, so running the write again from the start is safe:
every service reads what it changes again under its locks. A write is retried only where it
is the outermost transaction (inside another one, the whole outer transaction is lost and
only its caller can start again). What still fails is a WriteConflict: 409 in the API and a
form message on the staff pages, never a 503 that blames the database.
"""

import functools
import logging
import random
import time

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# PostgreSQL's deadlock_detected and serialization_failure.
CONFLICT_SQLSTATES = {"40P01", "40001"}
ATTEMPTS = 4
# The first retry waits about this long; each further one twice as long, with jitter.
FIRST_WAIT_SECONDS = 0.05

CONFLICT_MESSAGE = _(
    "Gleichzeitig hat jemand anderes an diesem Vorgang gespeichert, und Ihre Änderung konnte deshalb nicht "
    "gespeichert werden. Es wurde nichts geändert. Bitte laden Sie die Seite neu, prüfen Sie den aktuellen "
    "Stand und speichern Sie dann noch einmal."
)


class WriteConflict(ValidationError):
    """A write that kept meeting another writer: nothing was saved; the user may try again."""

    status_code = 409

    def __init__(self, message=CONFLICT_MESSAGE):
        super().__init__(message, code="write_conflict")


def is_write_conflict(error: BaseException) -> bool:
    """Whether `error` is a database's refusal because of another writer (not an outage, not a bug)."""
    if not isinstance(error, OperationalError):
        return False
    if getattr(error.__cause__, "sqlstate", None) in CONFLICT_SQLSTATES:
        return True
    return "database is locked" in str(error)  # SQLite: another process holds the write lock


def retry_write_conflicts(write):
    """Run `write` (its own transaction) again after a deadlock or serialization failure, a few times."""

    @functools.wraps(write)
    def retried(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return write(*args, **kwargs)
            except OperationalError as error:
                if not is_write_conflict(error):
                    raise
                if connection.in_atomic_block or attempt == ATTEMPTS:
                    logger.warning("%s gave up after %d attempt(s): %s", write.__qualname__, attempt, error)
                    raise WriteConflict() from error
                logger.info("%s met another writer (attempt %d), trying again: %s", write.__qualname__, attempt, error)
                time.sleep(FIRST_WAIT_SECONDS * 2 ** (attempt - 1) * (0.5 + random.random()))  # noqa: S311
        raise AssertionError("unreachable")  # pragma: no cover

    return retried
