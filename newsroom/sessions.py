"""Sessions: Django's cached_db, able to take its cached data from a caller.

A signed-in reader's story page needs the session and the shared page from
the same cache. `SessionStore.cache_key_if_any()` names the session's cache
key without creating a session, so the page code can read both in one round
trip and hand the session's data over with `preload()`. Nothing else
changes: a session the cache did not hold loads from the database as usual,
and writes go to the cache and the database as Django's cached_db does.
"""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db


class SessionStore(cached_db.SessionStore):
    _preloaded: dict | None = None

    def cache_key_if_any(self) -> str | None:
        """The cache key of this existing session; None if there is no session yet."""
        key = self.session_key
        return self.cache_key_prefix + key if key else None

    def preload(self, data: dict | None) -> None:
        """Take this session's data as read from its cache key by the caller.

        None (the cache held nothing) leaves loading to `load()`. Data given
        after the session was read is ignored: what was read stands.
        """
        if data is not None and not self.accessed:
            self._preloaded = data

    def load(self):
        data, self._preloaded = self._preloaded, None
        if data is not None:
            return data
        return super().load()
