"""The database health check before each request's first query.

CONN_HEALTH_CHECKS is on, so a persistent connection is checked before
each request reuses it. Django's check is a ``SELECT 1`` round trip; ours
(newsroom.postgres) asks the socket instead and only queries when the
server has said something since, as it does when it ends a connection.
"""

import pytest
from django.db import connections

from tests.reliability.conftest import kill_own_connection

pytestmark = pytest.mark.django_db(transaction=True)


def _next_request_query(conn) -> int:
    """What a request does: the start-of-request check, then its first query."""
    conn.close_if_unusable_or_obsolete()
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_healthy_connection_is_reused_without_a_select_1(monkeypatch):
    conn = connections["default"]
    first = _next_request_query(conn)
    checks = []
    monkeypatch.setattr(conn, "is_usable", lambda: checks.append("SELECT 1") or True)

    assert _next_request_query(conn) == first  # the same connection, kept
    assert checks == []


def test_a_connection_the_server_ended_is_replaced_before_the_next_query():
    conn = connections["default"]
    first = _next_request_query(conn)
    kill_own_connection()  # as a server restart or an idle timeout would

    # Without a check, this query would fail with "terminating connection".
    assert _next_request_query(conn) != first


def test_a_connection_left_in_a_transaction_gets_the_full_check(monkeypatch):
    conn = connections["default"]
    _next_request_query(conn)
    conn.connection.cursor().execute("BEGIN")  # behind Django's back
    checks = []
    monkeypatch.setattr(conn, "is_usable", lambda: checks.append("SELECT 1") or False)
    conn.health_check_done = False

    conn.close_if_health_check_failed()

    assert checks == ["SELECT 1"]
    assert conn.connection is None  # found unusable, so closed; the next query reconnects
