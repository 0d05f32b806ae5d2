"""Saying that the ledger changed: every write that can change a figure calls `record` in its transaction.

The services that write (the four-eyes machinery, requests and projects, proofs of use, the
directory import, the programme data load, the admin) call it where they write, with what they
know: a released decision, payment or recovery (which the figures can add without a full
recompute), a draft (no figure changes), or anything else. The call does two things, both named
by settings.LEDGER_CHANGE_RECORDER (funding.figures.scheduling.record_ledger_change; this kernel
imports no app): it bumps the ledger's change count in the same transaction, so "the figures
are behind" is durable, and schedules a recompute for after the commit.

A write that forgets to call it is still caught: the figures' freshness also compares the
ledgers' history with the published version (funding.figures.freshness), and the check every
minute catches up.
"""

import functools

from django.conf import settings
from django.utils.module_loading import import_string

# What a change did to the figures (the values of funding's LedgerChange.Kind).
DECISION_RELEASED = "decision"
PAYMENT_RELEASED = "payment"
RECOVERY_RELEASED = "recovery"
NO_FIGURES = "none"  # a draft, or a record no figure reads
OTHER = "other"  # anything else: a full recompute


@functools.cache
def _recorder():
    return import_string(settings.LEDGER_CHANGE_RECORDER)


def record(kind: str = OTHER, *, entry_id: int | None = None, project_id: int | None = None) -> None:
    """Record one change to the ledger in the current transaction and schedule the figures."""
    _recorder()(kind, entry_id=entry_id, project_id=project_id)
