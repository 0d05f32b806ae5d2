import pytest

from modellregionen.celery import ping

pytestmark = pytest.mark.services


def test_a_real_worker_executes_a_task_through_redis(real_broker):
    result = ping.delay()

    assert result.get(timeout=30) == "pong"
    assert not real_broker.conf.task_always_eager
