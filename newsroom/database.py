"""How the app reaches PostgreSQL: directly, or through a connection pooler.

`DJANGO_DB_POOLER=pgbouncer` says a PgBouncer in transaction pooling mode
stands between the app and the server. It hands each transaction to
whichever server connection is free, so nothing may outlive a transaction:

- advisory locks are transaction-level (`pg_advisory_xact_lock`,
  `comments.services.locks`) and row locks end with their transaction;
- no server-side cursors: Django's `.iterator()` outside a transaction
  declares a `WITH HOLD` cursor and fetches from it in later statements,
  which may reach another server connection (or one PgBouncer has reset);
  with them disabled it fetches in chunks on the client instead;
- psycopg2 prepares no statements on the server, and the only `SET` Django
  sends is the time zone, a parameter PgBouncer tracks per client.

Connections to PgBouncer stay persistent (`DJANGO_CONN_MAX_AGE`) with
health checks, so a connection PgBouncer closed (a restart, its
`client_idle_timeout`) is replaced before a request uses it.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

POOLERS = ("pgbouncer",)


def pooler_options(pooler: str) -> dict:
    """The connection settings that `pooler` ("" for none) needs."""
    pooler = pooler.strip().lower()
    if not pooler:
        return {}
    if pooler not in POOLERS:
        raise ImproperlyConfigured(
            f"DJANGO_DB_POOLER={pooler!r} is not known; use one of {', '.join(POOLERS)} "
            "or leave it empty."
        )
    return {"DISABLE_SERVER_SIDE_CURSORS": True}
