"""Each optimisation of the read path, switched off alone, for `make bench`.

An optimisation stays only if it earns its place measured alone (the
issue's bar: 5 points of the baseline share, or 10% of latency, on the
page it targets). The bench serves the same pages from a gunicorn with
everything on and from one with a single optimisation off, in alternating
rounds, each beside its own baseline.

Those measured below the bar were removed (README, "Every optimisation
earns its place"): the socket health check, the skipped key check, the
per-worker account links and comment instances, and the reader
query as a PL/pgSQL function.

`NEWSROOM_BENCH_WITHOUT=<name>` in a gunicorn's environment makes
`bench.ablation_wsgi` switch that optimisation off (back to Django's or
the library's plain behaviour) before the app serves anything. Nothing in
the app itself knows about this module.
"""

from __future__ import annotations

import os
from collections.abc import Callable


def _plain_user_loading() -> None:
    """Users loaded as Django's ModelBackend loads them: no preloaded row, no hand-written SQL."""
    from django.contrib.auth import backends

    from accounts.backends import _UserLoading

    def get_user(self, user_id):
        return backends.ModelBackend.get_user(self, user_id)

    _UserLoading.get_user = get_user


def _plain_redis_client() -> None:
    """Django's Redis client, building a `redis.Redis` on every call."""
    from django.core.cache.backends.redis import RedisCacheClient

    from newsroom.cache import ReusedClientRedisCacheClient

    ReusedClientRedisCacheClient.get_client = RedisCacheClient.get_client


def _no_worker_memories() -> None:
    """Every page, thread and part read from Redis (or rendered) on each request."""
    os.environ["NEWSROOM_PAGE_MEMORY_BYTES"] = "0"


# name -> (what is switched off, how, whether it must run before Django is set up)
TOGGLES: dict[str, tuple[str, Callable[[], None], bool]] = {
    "row-preload": (
        "the user row read with the reader's likes (accounts.backends)",
        _plain_user_loading,
        False,
    ),
    "redis-client-reuse": (
        "one redis.Redis per pool (newsroom.cache)",
        _plain_redis_client,
        False,
    ),
    "worker-memories": (
        "per-worker memories of pages and threads (newsroom.memory)",
        _no_worker_memories,
        True,
    ),
}


def switch_off(name: str, *, before_setup: bool) -> None:
    if name not in TOGGLES:
        raise SystemExit(f"NEWSROOM_BENCH_WITHOUT: unknown optimisation {name!r}")
    _description, apply, early = TOGGLES[name]
    if early == before_setup:
        apply()
