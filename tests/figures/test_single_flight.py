"""Scheduled work happens once however many workers or beats ask for it (issue 32).

A scheduled recompute, the check every minute, workers starting together and a second beat
(a scaled compose service) may all ask to publish the same changes. Whether anything is left
to publish is decided under the publication lock, so one of them publishes and the others
do nothing; the nightly retention erases each request once.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funding.figures import engine
from funding.figures.models import FiguresVersion
from projects.erasure import RETENTION_REASON, apply_retention
from projects.models import RequestStatus, TransferRequest
from tests.factories import DecisionFactory, TransferRequestFactory, recorded, release_reviewed_decision
from tests.funding.test_concurrent_writers import _run_together


def _release_a_decision(approver) -> None:
    release_reviewed_decision(decision=DecisionFactory(amount=Decimal("5000.00")), user=approver)


@pytest.mark.django_db
def test_a_publication_of_changes_already_published_reads_nothing_and_publishes_nothing(approver):
    _release_a_decision(approver)
    engine.publish_figures(full=False)
    versions = FiguresVersion.objects.count()

    # As a second worker does that checked "behind?" before the first one published.
    with CaptureQueriesContext(connection) as queries:
        assert engine.publish_figures(full=False) == []

    assert FiguresVersion.objects.count() == versions
    statements = [query["sql"] for query in queries]
    # The watermark and the change count are read, then it stops: no ledger read, nothing written.
    assert not [sql for sql in statements if sql.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert not [sql for sql in statements if "funding_figurestep" in sql or "OVER (" in sql]


@pytest.mark.django_db
def test_a_second_nightly_recompute_of_the_same_ledger_publishes_nothing(approver):
    _release_a_decision(approver)
    assert engine.publish_figures(full=True)
    versions = FiguresVersion.objects.count()

    # A second beat's nightly run reads the ledger again, finds the same figures, publishes nothing.
    assert engine.publish_figures(full=True) == []
    assert FiguresVersion.objects.count() == versions


@pytest.mark.django_db(transaction=True)
def test_three_workers_asking_at_once_publish_one_version(approver, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the publication lock is PostgreSQL's advisory lock; SQLite runs one writer at a time")
    # Threads share Celery's eager state badly: scheduling stays out of it (the test publishes itself).
    monkeypatch.setattr("funding.figures.scheduling.schedule_figures_recompute", lambda: None)
    _release_a_decision(approver)
    engine.publish_figures(full=True)
    _release_a_decision(approver)
    before = FiguresVersion.objects.count()

    errors = _run_together(*[lambda: engine.publish_figures(full=False)] * 3)

    assert errors == []
    assert FiguresVersion.objects.count() == before + 1


def _closed_requests(count: int) -> list[TransferRequest]:
    long_ago = timezone.now() - dt.timedelta(days=3650)
    requests = []
    for _number in range(count):
        transfer_request = TransferRequestFactory(status=RequestStatus.DECLINED, contact_name="Erika Beispiel")
        TransferRequest.objects.filter(pk=transfer_request.pk).update(created_at=long_ago)
        recorded(transfer_request)
        requests.append(transfer_request)
    return requests


@pytest.mark.django_db
def test_the_retention_erases_once_and_a_second_run_finds_nothing(monkeypatch):
    requests = _closed_requests(3)

    assert apply_retention() == 3
    assert apply_retention() == 0
    for transfer_request in requests:
        assert transfer_request.history.filter(history_change_reason=RETENTION_REASON).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_retention_runs_at_once_erase_each_request_once(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    monkeypatch.setattr("funding.figures.scheduling.schedule_figures_recompute", lambda: None)
    requests = _closed_requests(6)

    errors = _run_together(apply_retention, apply_retention)

    assert errors == []
    for transfer_request in requests:
        assert transfer_request.history.filter(history_change_reason=RETENTION_REASON).count() == 1
        assert TransferRequest.objects.get(pk=transfer_request.pk).contact_name == ""
