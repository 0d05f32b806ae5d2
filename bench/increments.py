"""Incremental figures: how soon a released decision or payment is in the published figures.

Two measurements on the ledger `bench.__main__.measure` has just built and recomputed:

- *in process*: a released amendment (or payment) is saved, then
  `engine.publish_figures(full=False)` adds it to the current version; timed alone, the same
  number of runs as the full recompute it is compared with.
- *with a real worker* (when REDIS_URL is set): a Celery worker runs in its own process, as in
  a deployment; a released amendment is committed here, and the time until a current version
  includes its change number is measured, the scheduling delay (FIGURES_RECOMPUTE_DELAY)
  included.
"""

import os
import random
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
# How long to wait for a worker's publication before the run counts as failed.
WAIT_SECONDS = 60


def _random_grant(rng: random.Random):
    """A random released initial decision."""
    from funding.choices import DecisionKind
    from funding.models import FundingDecision

    initials = FundingDecision.objects.released().filter(kind=DecisionKind.INITIAL)
    highest = initials.order_by("-id").values_list("id", flat=True).first()
    return initials.filter(id__gte=rng.randint(1, highest)).order_by("id").first()


def _release_amendment(rng: random.Random):
    """Save a released amendment of a random released initial decision; returns its change number."""
    from django.db import transaction
    from django.utils import timezone

    from funding.choices import DecisionKind, DecisionState
    from funding.figures.models import LedgerChange
    from funding.models import FundingDecision
    from modellregionen import ledger_changes

    grant = _random_grant(rng)
    with transaction.atomic():
        amendment = FundingDecision.objects.create(
            reference=f"BENCH-INC-{time.time_ns()}",
            project_id=grant.project_id,
            recipient_id=grant.recipient_id,
            authority_id=grant.authority_id,
            kind=DecisionKind.AMENDMENT,
            amends=grant,
            decision_date=grant.decision_date,
            amount=Decimal("1234.56"),
            eligible_costs=Decimal("1234.56"),
            private_investment=Decimal("100.00"),
            own_share=Decimal("0.00"),
            period_start=grant.period_start,
            period_end=grant.period_end,
            state=DecisionState.RELEASED,
            released_by_id=grant.released_by_id,
            released_at=timezone.now(),
        )
        # As the four-eyes release records it (funding.four_eyes), without the review around it.
        ledger_changes.record(ledger_changes.DECISION_RELEASED, entry_id=amendment.pk, project_id=grant.project_id)
        return LedgerChange.objects.get(entry_id=amendment.pk, kind=LedgerChange.Kind.DECISION_RELEASED).number


def _release_payment(rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from funding.choices import DecisionState
    from funding.payments.models import Payment
    from modellregionen import ledger_changes

    grant = _random_grant(rng)
    with transaction.atomic():
        payment = Payment.objects.create(
            reference=f"BENCH-PAY-{time.time_ns()}",
            decision=grant,
            amount=Decimal("99.99"),
            value_date=grant.decision_date,
            state=DecisionState.RELEASED,
            released_by_id=grant.released_by_id,
            released_at=timezone.now(),
        )
        ledger_changes.record(ledger_changes.PAYMENT_RELEASED, entry_id=payment.pk, project_id=grant.project_id)


def in_process(runs: int, seed: int = 18) -> dict:
    """Fastest and median seconds of an increment after one released decision, and after one payment."""
    from funding.figures import engine

    rng = random.Random(seed)  # noqa: S311 (test data)
    timings = {"decision": [], "payment": []}
    stored = {"decision": [], "payment": []}
    # Scheduling is the worker's part (measured below): here only the increment is timed.
    with mock.patch("funding.figures.scheduling.schedule_figures_recompute"):
        for _ in range(runs):
            for kind, release in (("decision", _release_amendment), ("payment", _release_payment)):
                release(rng)
                started = time.perf_counter()
                (published,) = engine.publish_figures(full=False)
                timings[kind].append(time.perf_counter() - started)
                assert published.version.based_on_id is not None, "the change was not added incrementally"  # noqa: S101
                stored[kind].append(version_storage(published.version.pk))
                engine.prune_figure_versions(keep=2)
    return {
        **{kind: sorted(values) for kind, values in timings.items()},
        # (step rows, bytes) a version stores of its own: the steps of the groups it changed.
        "stored": {kind: max(values) for kind, values in stored.items()},
    }


def version_storage(version_id: int) -> tuple[int, int]:
    """The step rows a version stores itself and their size in bytes (PostgreSQL's pg_column_size of each row)."""
    from django.db import connection

    from funding.models import FigureStep

    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT COUNT(*), COALESCE(SUM(pg_column_size(s.*)), 0) FROM "{FigureStep._meta.db_table}" s '  # noqa: S608
            "WHERE s.version_id = %s",
            [version_id],
        )
        rows, size = cursor.fetchone()
    return int(rows), int(size)


def with_worker(runs: int, seed: int = 19) -> list[float] | None:
    """Seconds from commit until the published figures include the change, with a real worker (None without Redis)."""
    from django.conf import settings

    from funding.figures.models import FiguresVersion

    if not settings.REDIS_URL:
        return None
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "modellregionen", "worker", "--loglevel=WARNING", "--concurrency=1"],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    rng = random.Random(seed)  # noqa: S311 (test data)
    latencies = []
    try:
        time.sleep(5)  # the worker connects and catches up (refresh on start)
        for _ in range(runs):
            number = _release_amendment(rng)
            committed = time.perf_counter()
            while not FiguresVersion.objects.filter(is_current=True, includes_change_count__gte=number).exists():
                if time.perf_counter() - committed > WAIT_SECONDS:
                    raise RuntimeError(f"change {number} not published within {WAIT_SECONDS} s")
                time.sleep(0.01)
            latencies.append(time.perf_counter() - committed)
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    return sorted(latencies)
