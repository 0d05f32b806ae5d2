"""Celery tasks of the figures: thin wrappers around funding.figures.engine."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from funding.figures import engine, freshness
from funding.figures.verify import figures_verify

logger = logging.getLogger(__name__)


@shared_task(
    name="funding.tasks.recompute_figures",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def recompute_figures(full: bool = False) -> list[int]:
    """Publish the figures of every programme; returns the new version ids.

    Scheduled after each ledger change, it adds released entries to the current figures where it
    can (funding.figures.increments); the nightly run passes `full` and reads the whole ledger.
    """
    freshness.clear_pending_recompute()
    published = engine.recompute_figures(full=full)
    for item in published:
        logger.info(
            "figures version %s of %s published (%s): %s steps, %s rows read, %s ms",
            item.version.pk,
            item.version.programme,
            f"increment of version {item.version.based_on_id}" if item.version.based_on_id else "full recompute",
            item.steps_written,
            item.version.rows_read,
            item.version.duration_ms,
        )
    return [item.version.pk for item in published]


@shared_task(
    name="funding.tasks.verify_figures",
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    max_retries=5,
)
def verify_figures() -> int:
    """Compare the current figures with the ledger; logs every drift and returns their number."""
    drifts = figures_verify()
    for drift in drifts:
        logger.error("figures drift: %s", drift)
    if not drifts:
        logger.info("figures verified: no drift")
    return len(drifts)


@shared_task(
    name="funding.tasks.refresh_figures_if_behind",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=30,
    max_retries=3,
)
def refresh_figures_if_behind() -> list[int]:
    """Recompute if the published figures miss a committed change (beat, every minute; worker start)."""
    published = engine.refresh_figures_if_behind()
    if published:
        logger.warning(
            "figures were behind the ledger; caught up with version(s) %s", [item.version.pk for item in published]
        )
    return [item.version.pk for item in published]
