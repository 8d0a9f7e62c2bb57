"""The database health check before each request's first query.

CONN_HEALTH_CHECKS is on, so a persistent connection is checked (Django's
``SELECT 1``) before each request reuses it.
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


def test_a_connection_the_server_ended_is_replaced_before_the_next_query():
    conn = connections["default"]
    first = _next_request_query(conn)
    kill_own_connection()  # as a server restart or an idle timeout would

    # Without a check, this query would fail with "terminating connection".
    assert _next_request_query(conn) != first
