"""When a recompute runs: once after the transaction that changed the ledger commits.

`schedule_figures_recompute` coalesces bursts of ledger changes into one or two
recomputes, queued as a Celery task a moment later (FIGURES_RECOMPUTE_DELAY). If the broker is down the task is
lost; the periodic check (funding.figures.tasks.refresh_figures_if_behind) catches up.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from funding.figures.freshness import PENDING_KEY, mark_ledger_changed

# How long a scheduled recompute waits, so that a burst of changes lands in one run: short,
# because a release should be visible within two seconds, and long enough for the changes one
# form or import commits together.
RECOMPUTE_DELAY_SECONDS = settings.FIGURES_RECOMPUTE_DELAY


# A lost task must not block scheduling forever: the pending flag expires.
PENDING_TIMEOUT_SECONDS = 120


def _enqueue_recompute() -> None:
    from funding.figures.tasks import recompute_figures as recompute_task

    # A flag in the shared cache: while a recompute is queued and has not started, further
    # changes need no task of their own; the task clears the flag before it reads the ledger.
    if not cache.add(PENDING_KEY, "1", timeout=PENDING_TIMEOUT_SECONDS):
        return
    try:
        recompute_task.apply_async(countdown=RECOMPUTE_DELAY_SECONDS)
    except Exception:
        cache.delete(PENDING_KEY)
        raise


def schedule_figures_recompute() -> None:
    """Recompute the figures after the current transaction commits, once per transaction."""
    # One callback per transaction, however many records it saves: loading 1000 records
    # in one transaction must lead to one recompute, also when tasks run in-process. Django
    # drops the callbacks of a rolled-back savepoint, so a callback still registered will
    # run whenever a new one would.
    if connection.in_atomic_block and any(
        callback is _enqueue_recompute for _savepoints, callback, _robust in connection.run_on_commit
    ):
        return
    # robust: a failing recompute is logged, it does not undo or fail the committed change.
    transaction.on_commit(_enqueue_recompute, robust=True)


def record_ledger_change(kind: str, *, entry_id: int | None = None, project_id: int | None = None) -> None:
    """What modellregionen.ledger_changes.record does (settings.LEDGER_CHANGE_RECORDER).

    In the change's own transaction: the durable "figures are behind" (LedgerState) and what
    changed (LedgerChange). After the commit: the fast path, a recompute in a few seconds. If
    the broker is down it is lost, and the check every minute (refresh_figures_if_behind)
    catches up instead.
    """
    mark_ledger_changed(kind, entry_id=entry_id, project_id=project_id)
    schedule_figures_recompute()
