"""Figures that converge whatever happened: the durable "figures are behind" and its catch-up (issue 14)."""

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from funding.figures import engine, freshness, tasks
from funding.figures.freshness import figures_freshness
from funding.models import FiguresVersion, LedgerState
from modellregionen import ledger_changes
from projects.models import TransferRequest
from tests.factories import MunicipalityFactory, ProjectFactory
from tests.staff.conftest import MODEL_BACKEND


@transaction.atomic
def add_request(project, municipality, day=dt.date(2020, 2, 3)):
    """A counted request, written as a service writes: the record, then what it changed."""
    request = TransferRequest.objects.create(
        confirmed_at=timezone.now(),  # recorded by staff or the programme data: counted
        project=project,
        municipality=municipality,
        received_on=day,
        contact_name="R",
        contact_email="r@x.example",
    )
    ledger_changes.record()
    return request


@pytest.fixture
def published(db):
    project = ProjectFactory()
    municipality = MunicipalityFactory()
    add_request(project, municipality)
    engine.recompute_figures()
    return {"project": project, "municipality": municipality}


def test_a_change_marks_the_figures_behind_in_its_own_transaction(published):
    assert figures_freshness().is_current
    before = LedgerState.objects.get().change_count

    add_request(published["project"], published["municipality"])

    freshness = figures_freshness()
    assert LedgerState.objects.get().change_count == before + 1
    assert not freshness.is_current
    assert freshness.behind_since is not None
    engine.recompute_figures()
    assert figures_freshness().is_current
    assert LedgerState.objects.get().first_unpublished_at is None


def test_a_change_committed_while_the_figures_are_computed_leaves_them_behind_not_wrong(published):
    # The count is read before the facts: a change that lands in between is in the facts but
    # not in the count, so the version claims less than it has and one more run follows.
    real_count = freshness.ledger_change_count

    def count_then_change():
        count = real_count()
        add_request(published["project"], published["municipality"])
        return count

    with mock.patch.object(engine, "ledger_change_count", count_then_change):
        engine.recompute_figures()

    assert not figures_freshness().is_current
    # The version already has the request in its figures: the catch-up finds them unchanged, so it
    # publishes nothing and records that the current version includes the change.
    assert engine.refresh_figures_if_behind() == []
    assert figures_freshness().is_current
    assert engine.refresh_figures_if_behind() == []  # nothing to do: idempotent


def test_under_steady_writing_the_lag_counts_from_the_last_publication_not_from_the_first_change(published):
    add_request(published["project"], published["municipality"])
    first_change = LedgerState.objects.get().first_unpublished_at
    real_count = freshness.ledger_change_count

    def count_then_change():
        count = real_count()
        add_request(published["project"], published["municipality"])  # lands after the ledger was read
        return count

    with mock.patch.object(engine, "ledger_change_count", count_then_change):
        engine.recompute_figures()

    state = figures_freshness()
    newest = FiguresVersion.objects.filter(is_current=True).get()
    assert not state.is_current
    assert state.behind_since == newest.computed_at > first_change


@pytest.mark.django_db(transaction=True)
def test_a_change_whose_recompute_cannot_be_queued_is_caught_up_by_the_periodic_check():
    project, municipality = ProjectFactory(), MunicipalityFactory()
    engine.recompute_figures()
    # The broker is down at commit time: the write succeeds, the fast recompute is lost.
    with mock.patch.object(tasks.recompute_figures, "apply_async", side_effect=ConnectionError("redis down")):
        add_request(project, municipality)
    assert not figures_freshness().is_current

    caught_up = tasks.refresh_figures_if_behind.apply().get()

    assert caught_up
    assert figures_freshness().is_current
    assert FiguresVersion.objects.get(pk=caught_up[0]).ledger_change_count == LedgerState.objects.get().change_count


def test_staleness_shows_in_the_api_the_health_check_and_the_staff_overview(published, client, clerk):
    add_request(published["project"], published["municipality"])

    version = client.get("/api/v1/figures/").json()["version"]
    health = client.get("/healthz").json()
    client.force_login(clerk, backend=MODEL_BACKEND)
    overview = client.get("/intern/").content.decode()

    assert version["is_current"] is True and version["includes_latest_change"] is False
    assert version["behind_since"] is not None
    assert health["status"] == "figures_behind"
    assert health["figures"]["is_current"] is False and health["figures"]["lag_seconds"] >= 0
    assert "Kennzahlen hinken den Bescheiden hinterher seit" in overview

    engine.recompute_figures()
    figures_engine_api_memo_cleared = client.get("/api/v1/figures/").json()["version"]
    assert figures_engine_api_memo_cleared["includes_latest_change"] is True
    assert client.get("/healthz").json()["status"] == "ok"
    assert "hinken" not in client.get("/intern/").content.decode()


def test_beat_checks_every_minute_and_a_starting_worker_checks_at_once(settings):
    from modellregionen import celery

    schedule = settings.CELERY_BEAT_SCHEDULE["refresh-figures-if-behind"]
    assert schedule["task"] == "funding.tasks.refresh_figures_if_behind"
    assert schedule["schedule"] == settings.FIGURES_FRESHNESS_CHECK_SECONDS == 60
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= 300
    sender = mock.Mock()
    celery.catch_up_figures(sender=sender)
    sender.app.send_task.assert_called_once_with("funding.tasks.refresh_figures_if_behind")
