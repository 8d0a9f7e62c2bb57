"""Django's PostgreSQL backend, with a health check that needs no round trip.

With CONN_HEALTH_CHECKS, Django checks a persistent connection before the
first query of each request by running ``SELECT 1``: a round trip to the
server on every request, as costly as a small query. A connection the server
has ended (a restart, an idle timeout, ``pg_terminate_backend``) has already
told us so: the server sends its error and closes the socket, which makes the
socket readable while no query is running. So the check here asks the
operating system whether an idle connection's socket has anything to read.
A quiet socket on an idle connection is healthy; anything else (data waiting,
a transaction left open, an error asking) falls back to Django's ``SELECT 1``.

What this cannot see, and ``SELECT 1`` would only see after a TCP timeout, is
a peer that vanished without closing the connection; the query then fails as
it would have without the check.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg2 import extensions


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self._idle_and_quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _idle_and_quiet(self) -> bool:
        """Whether the connection is idle and the server has sent nothing since."""
        connection = self.connection
        try:
            if (
                connection.closed
                or connection.info.transaction_status != extensions.TRANSACTION_STATUS_IDLE
            ):
                return False
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError, base.Database.Error):
            return False
        return not readable
