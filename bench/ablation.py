"""Each optimisation of the read path, switched off alone, for `make bench`.

An optimisation stays only if it earns its place measured alone (the
issue's bar: 5 points of the baseline share, or 10% of latency, on the
page it targets). The bench serves the same pages from a gunicorn with
everything on and from one with a single optimisation off, in alternating
rounds, each beside its own baseline.

Those measured below the bar were removed (README, "Every optimisation
earns its place"): the socket health check, the skipped key check, the
per-worker account links and comment instances.

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


def _reader_state_planned_each_time() -> None:
    """The reader query as one plain statement, which PostgreSQL plans on every
    request, instead of the function whose plans each connection keeps
    (storypage/migrations/0002_reader_state_function.py)."""
    from django.contrib.auth import get_user_model

    from accounts.backends import user_columns
    from storypage import section

    columns, _names = user_columns("u")
    model = get_user_model()
    pk = model._meta.pk.column
    sql = f"""
SELECT {columns},
    ARRAY(
        SELECT comment_id FROM comments_like
        WHERE user_id = u.{pk} AND article_id = %(article)s
    ),
    EXISTS(
        SELECT 1 FROM comments_comment
        WHERE article_id = %(article)s AND author_id = u.{pk}
          AND status = ANY(%(held)s) AND deleted_at IS NULL
    ),
    (SELECT token::text FROM storypage_pageversion WHERE scope = %(stories)s),
    (SELECT token::text FROM storypage_pageversion WHERE scope = %(thread)s),
    (
        SELECT md5(session_data) FROM django_session
        WHERE session_key = %(session)s AND expire_date > %(now)s
    )
FROM {model._meta.db_table} u WHERE u.{pk} = %(user)s
"""
    section._reader_and_state_sql = lambda: sql


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
    "reader-function": (
        "the reader query's plans kept per connection (storypage_reader_state)",
        _reader_state_planned_each_time,
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
