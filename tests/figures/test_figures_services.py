"""With PostgreSQL, Redis and a real Celery worker: scheduling, coalescing and the lock.

The records are written with factories; `recorded` says what each changed, as the services do.
"""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from funding.figures import engine, freshness, scheduling
from funding.figures.selectors import current_figures_version, figures_for
from funding.models import DecisionState, FiguresVersion
from tests.factories import (
    DecisionFactory,
    MunicipalityFactory,
    ProgrammeFactory,
    ProjectFactory,
    TransferRequestFactory,
    UserFactory,
    recorded,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

AS_OF = dt.date(2024, 1, 1)


def wait_for(condition, *, timeout=60.0, what="the figures"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} did not arrive within {timeout} s")


def published_total(figure):
    version = current_figures_version()
    if version is None:
        return None
    return figures_for(as_of=AS_OF, version=version).rows[0].values[figure]


def settle():
    """Wait until the recomputes scheduled so far have run."""
    time.sleep(scheduling.RECOMPUTE_DELAY_SECONDS + 1)
    wait_for(lambda: cache.get(freshness.PENDING_KEY) is None, what="the pending recompute")
    time.sleep(1)


@pytest.fixture
def project(real_broker):
    cache.delete(freshness.PENDING_KEY)
    project = recorded(ProjectFactory(programme=ProgrammeFactory()))
    wait_for(lambda: published_total("applications") == 1, what="the first version")
    return project


def test_saving_a_decision_publishes_a_new_current_version_with_the_new_value(project):
    before = current_figures_version()

    recorded(
        DecisionFactory(
            project=project,
            amount=Decimal("123456.78"),
            eligible_costs=Decimal("200000.00"),
            state=DecisionState.RELEASED,
            released_by=UserFactory(username="anton"),
            released_at=timezone.now(),
        )
    )

    wait_for(lambda: published_total("funding_granted") == Decimal("123456.78"))
    assert current_figures_version().pk > before.pk


def test_a_burst_of_fifty_saves_leads_to_at_most_three_recomputes(project, monkeypatch):
    # The burst must fit in one delay, whatever else this machine is doing: coalescing is the
    # promise here, not how fast fifty saves are.
    monkeypatch.setattr(scheduling, "RECOMPUTE_DELAY_SECONDS", 3.0)
    settle()
    last_before = FiguresVersion.objects.order_by("-pk").values_list("pk", flat=True).first()
    municipality = MunicipalityFactory()

    for number in range(50):
        recorded(
            TransferRequestFactory(
                project=project, municipality=municipality, received_on=dt.date(2020, 1, 1 + number % 28)
            )
        )

    wait_for(lambda: published_total("transfer_requests") == 50)
    settle()
    recomputes = FiguresVersion.objects.filter(pk__gt=last_before).count()
    assert 1 <= recomputes <= 3


def test_two_concurrent_recomputes_publish_one_after_the_other(project, monkeypatch):
    settle()
    compute = engine._compute_version

    def slow_compute(programme, **kwargs):
        # Long enough that, without the lock, the two runs would overlap.
        time.sleep(1.0)
        return compute(programme, **kwargs)

    monkeypatch.setattr(engine, "_compute_version", slow_compute)
    published, errors = [], []

    def run():
        try:
            # keep_unchanged: both runs publish, so the test sees the order they published in.
            published.extend(item.version for item in engine.publish_figures(keep_unchanged=True))
        except Exception as error:  # the assertion below shows it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    first, second = sorted(published, key=lambda version: version.computed_at)
    # The second started computing only after the first had published.
    assert second.computed_at >= first.computed_at + dt.timedelta(milliseconds=first.duration_ms)
    assert current_figures_version() == max(published, key=lambda version: version.pk)
