"""The Redis cache fails open: an outage costs speed, never a page."""

import socket

import pytest
from django.core.cache.backends.redis import RedisCache

from newsroom.cache import FailOpenRedisCache


@pytest.fixture
def dead_redis():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    return FailOpenRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
    )


def test_an_unreachable_redis_answers_like_an_empty_cache(dead_redis):
    assert dead_redis.get("thread-version", "fallback") == "fallback"
    assert dead_redis.get_many(["a", "b"]) == {}
    assert dead_redis.add("rate-limit", 1) is True
    assert dead_redis.set("page", "html") is None
    assert dead_redis.delete("page") is False


def test_after_a_failure_it_stops_asking_redis_for_a_while(dead_redis, monkeypatch):
    attempts = []
    real_get = RedisCache.get

    def counting_get(self, *args, **kwargs):
        attempts.append(args[0])
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "get", counting_get)
    for _ in range(50):
        assert dead_redis.get("page") is None

    assert attempts == ["page"]  # one attempt; then the breaker answers alone
