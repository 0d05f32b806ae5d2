"""A worker that loses its Redis broker keeps running instead of dying on the way out of the connection.

kombu 5.7's Redis transport, closing a channel after the broker went away, tries to put the
worker's unacknowledged messages back with a new client built from the connection it has just
dropped (`QoS.restore_unacked` -> `Channel._connparams`), raises AttributeError("'NoneType'
object has no attribute 'hostname'") and the worker exits ("Unrecoverable error"). Seen with
`make scale` on every Redis restart while a worker held a task; the long-known family of
reconnect failures of that transport (celery/kombu #970, celery/celery #7705).

The same happens when a task that finished after the reconnect is acknowledged on the old
channel (`QoS.ack`). Where the connection is gone, the messages are left where they are: in the broker's unacked
set, which any worker restores after the visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS).
Nothing is lost: a recompute that runs late is caught up by the check every minute anyway. A
worker that exits for another reason is restarted by its supervisor (deploy/systemd, compose).
"""

import logging

from kombu.transport import redis as redis_transport

logger = logging.getLogger(__name__)

_restore_unacked = redis_transport.QoS.restore_unacked
_ack = redis_transport.QoS.ack


def _connection_gone(channel) -> bool:
    """A channel of the connection that was dropped: no client, no pool to build one from."""
    return getattr(channel, "_pool", None) is None and getattr(channel.connection, "client", None) is None


def restore_unacked(self, client=None):
    if client is None and _connection_gone(self.channel):
        logger.warning(
            "Broker connection lost: %d unacknowledged message(s) stay in the broker and are redelivered "
            "after the visibility timeout.",
            len(self._delivered),
        )
        return None
    return _restore_unacked(self, client)


def ack(self, delivery_tag):
    # The same failure one step later: a task that finished after the worker reconnected is
    # acknowledged on the old channel (seen with make scale on 08.12.2026: AttributeError
    # "'NoneType' object has no attribute 'client'", worker exit 1). Its message stays in the
    # broker's unacked set and runs once more after the visibility timeout; the tasks are
    # idempotent (a recompute that finds the figures current publishes nothing).
    if _connection_gone(self.channel):
        logger.warning(
            "Broker connection lost: message %s stays unacknowledged and is redelivered after the visibility timeout.",
            delivery_tag,
        )
        return None
    return _ack(self, delivery_tag)


def install() -> None:
    """Called once, where the Celery app is made (modellregionen.celery)."""
    redis_transport.QoS.restore_unacked = restore_unacked
    redis_transport.QoS.ack = ack
