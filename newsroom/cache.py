"""A Redis cache that fails open.

Everything kept in the cache can be rebuilt (rendered threads and pages,
allauth's rate-limit counters), and nothing in it decides what is current
(the page versions live in PostgreSQL, see `storypage.versions`), so when
Redis is down or stops answering, a cache call is logged and answers as an
empty cache would: reads miss, writes are dropped, `add` succeeds. Pages
then render uncached, and rate limits are off for the length of the
outage, rather than every page and every log-in failing with a 500.

After a failure the process stops asking Redis for a few seconds (a circuit
breaker), so a Redis that hangs costs one socket timeout, not one per call.

Django's client builds a new `redis.Redis` for every call, and redis-py's
constructor registers some 170 response callbacks each time: about a tenth
of a millisecond per cache call, several per page. Clients here are built
once per connection pool and reused (they are thread-safe; connections come
from the pool as before).
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, with one `redis.Redis` per pool instead of one per call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    _down_until = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def _call(self, operation: str, fallback, *args):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return getattr(super(), operation)(*args)
        except Exception:
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning(
                "Redis cache unavailable (%s); carrying on without it for %ss",
                operation,
                RETRY_AFTER_SECONDS,
                exc_info=True,
            )
            return fallback

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", True, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)
