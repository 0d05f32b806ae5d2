"""Celery tasks of the requests: the nightly retention rule for personal data."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from projects.erasure import apply_retention as erase_expired

logger = logging.getLogger(__name__)


@shared_task(
    name="projects.tasks.apply_retention",
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    max_retries=5,
)
def apply_retention() -> int:
    """Erase the personal data of closed requests past REQUEST_RETENTION_DAYS; returns how many."""
    erased = erase_expired()
    logger.info("retention: personal data of %s request(s) erased", erased)
    return erased
