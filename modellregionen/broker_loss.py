"""A worker that loses its Redis broker keeps running instead of dying on the way out of the connection.

kombu 5.7's Redis transport, closing a channel after the broker went away, tries to put the
worker's unacknowledged messages back with a new client built from the connection it has just
dropped (`QoS.restore_unacked` -> `Channel._connparams`), raises AttributeError("'NoneType'
object has no attribute 'hostname'") and the worker exits ("Unrecoverable error"). Seen with
`make scale` on every Redis restart while a worker held a task; the long-known family of
reconnect failures of that transport (celery/kombu #970, celery/celery #7705).

Where the connection is gone, the messages are left where they are: in the broker's unacked
set, which any worker restores after the visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS).
Nothing is lost: a recompute that runs late is caught up by the check every minute anyway. A
worker that exits for another reason is restarted by its supervisor (deploy/systemd, compose).
"""

import logging

from kombu.transport import redis as redis_transport

logger = logging.getLogger(__name__)

_restore_unacked = redis_transport.QoS.restore_unacked


def restore_unacked(self, client=None):
    channel = self.channel
    connection_gone = getattr(channel.connection, "client", None) is None
    if client is None and getattr(channel, "_pool", None) is None and connection_gone:
        logger.warning(
            "Broker connection lost: %d unacknowledged message(s) stay in the broker and are redelivered "
            "after the visibility timeout.",
            len(self._delivered),
        )
        return None
    return _restore_unacked(self, client)


def install() -> None:
    """Called once, where the Celery app is made (modellregionen.celery)."""
    redis_transport.QoS.restore_unacked = restore_unacked
