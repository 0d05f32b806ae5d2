"""A Redis cache that degrades instead of breaking when Redis is unreachable.

Everything this application keeps in the cache can be lost or recomputed: throttle counts,
rate-limit counts, the "recompute pending" flag. So when Redis is down, a cache call answers
as if the key were missing (a read misses, a write is dropped, a counter starts again) and logs
a warning at most once a minute; the page or API answer is served from the database. Limits
fail open for the length of the outage, which is the lesser harm for a public read-only site.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
WARN_EVERY_SECONDS = 60
_last_warning = {"at": 0.0}


def _warn(operation: str, error: Exception) -> None:
    now = time.monotonic()
    if now - _last_warning["at"] >= WARN_EVERY_SECONDS:
        _last_warning["at"] = now
        logger.warning("cache unavailable (%s): %s; serving without it", operation, error)


class ResilientRedisCache(RedisCache):
    def _guard(self, operation: str, fallback, call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except (RedisError, OSError) as error:
            _warn(operation, error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._guard("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, super().has_key, key, version)

    def set(self, key, value, timeout=None, version=None):  # noqa: A003 - Django's name
        self._guard("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._guard("set_many", list(data), super().set_many, data, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        # As if the key was new: a counter starts, a flag is taken; nothing waits on a dead cache.
        return self._guard("add", True, super().add, key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        return self._guard("incr", delta, super().incr, key, delta, version)

    def count(self, key, timeout, version=None) -> int:
        """Add one to a counter that expires `timeout` seconds after its first count: one round trip.

        Django's `incr` asks whether the key exists first, and `add` is a third call in a new window.
        """
        full_key = self.make_and_validate_key(key, version=version)

        def count_in_one_trip():
            pipeline = self._cache.get_client(full_key, write=True).pipeline(transaction=True)
            pipeline.set(full_key, 0, ex=timeout, nx=True)
            pipeline.incr(full_key)
            return pipeline.execute()[1]

        return self._guard("count", 1, count_in_one_trip)

    def decr(self, key, delta=1, version=None):
        return self._guard("decr", -delta, super().decr, key, delta, version)

    def touch(self, key, timeout=None, version=None):
        return self._guard("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._guard("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._guard("clear", False, super().clear)
