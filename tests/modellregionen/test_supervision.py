"""Every long-running process of a deployment runs under a supervisor that restarts it (issue 32)."""

from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_systemd_units_restart_web_workers_and_beat_whenever_they_exit():
    units = {path.name: path.read_text() for path in (ROOT / "deploy/systemd").glob("*.service")}

    assert set(units) == {
        "modellregionen-web.service",
        "modellregionen-worker@.service",
        "modellregionen-beat.service",
    }
    for name, text in units.items():
        assert "\nRestart=always\n" in text, name
        assert "\nEnvironmentFile=/etc/modellregionen.env\n" in text, name
    assert "celery -A modellregionen worker" in units["modellregionen-worker@.service"]
    assert "celery -A modellregionen beat" in units["modellregionen-beat.service"]


def test_every_compose_service_is_restarted():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    for name, service in compose["services"].items():
        assert service.get("restart") == "unless-stopped", name


def test_workers_wait_for_a_broker_that_restarts():
    assert settings.CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP is True
    assert settings.CELERY_BROKER_CONNECTION_MAX_RETRIES is None  # retry without limit
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


def test_a_worker_that_lost_its_broker_leaves_unacknowledged_messages_for_redelivery_instead_of_dying():
    from types import SimpleNamespace

    from kombu.transport import redis as redis_transport

    import modellregionen.celery  # noqa: F401 (installs the guard, as every worker does)

    assert redis_transport.QoS.restore_unacked.__module__ == "modellregionen.broker_loss"
    qos = redis_transport.QoS.__new__(redis_transport.QoS)
    qos._delivered = {"tag-1": True}
    # What kombu leaves behind once the broker connection is gone: no client, no pool.
    qos.channel = SimpleNamespace(connection=SimpleNamespace(client=None), _pool=None)

    assert qos.restore_unacked() is None  # kombu itself raises AttributeError here
    assert qos._delivered == {"tag-1": True}  # still in the broker's unacked set, redelivered later


def test_a_task_acknowledged_on_the_channel_of_a_lost_broker_connection_stays_for_redelivery_instead_of_killing_the_worker():
    from types import SimpleNamespace

    from kombu.transport import redis as redis_transport

    import modellregionen.celery  # noqa: F401 (installs the guard, as every worker does)

    assert redis_transport.QoS.ack.__module__ == "modellregionen.broker_loss"
    qos = redis_transport.QoS.__new__(redis_transport.QoS)
    qos._delivered = {"tag-1": True}
    # After the reconnect, the message's old channel has no connection left.
    qos.channel = SimpleNamespace(connection=None, _pool=None)

    assert qos.ack("tag-1") is None  # kombu itself raises AttributeError here
    assert qos._delivered == {"tag-1": True}
