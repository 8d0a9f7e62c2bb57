"""Sessions: Django's database sessions, able to take their data from a caller.

Sessions live in the database only, so a session ended at log-out is gone
for every server at once, whatever the cache did. A signed-in reader's
story page (`storypage.shared_pages`) would pay a query for the session on
every request; instead it reads a copy of the session kept in the cache
together with the page, and checks that copy against the database in the
query it makes anyway: the copy names the digest of the session row it was
made from, and the query returns the row's digest now (none if the row is
gone or expired). Only an exact match is used (`preload`); anything else
loads from the database as usual.
"""

from __future__ import annotations

import hashlib

from django.contrib.sessions.backends import db


def session_digest(session_data: str) -> str:
    """What PostgreSQL's md5(session_data) gives for the same row."""
    return hashlib.md5(session_data.encode(), usedforsecurity=False).hexdigest()


class SessionStore(db.SessionStore):
    # The digest of the row this session was loaded from (None: not loaded
    # from the database in this request).
    digest: str | None = None
    _preloaded: dict | None = None

    def preload(self, data: dict) -> None:
        """Take this session's data as the caller read and checked it.

        Data given after the session was read is ignored: what was read stands.
        """
        if not self.accessed:
            self._preloaded = data

    def load(self):
        data, self._preloaded = self._preloaded, None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if row is None:
            return {}
        self.digest = session_digest(row.session_data)
        return self.decode(row.session_data)
