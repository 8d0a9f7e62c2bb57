"""Cached thread fragments, invalidated by a per-story version.

Every write to a story's comments sends `thread_changed` after commit; the
receiver here replaces that story's version token, so the next read builds a
new key and a stale fragment is never served, on any number of app servers
sharing the cache. Old fragments simply expire.

The cache is an optimisation only: if the backend raises (Redis down,
timeout), reads fall back to rendering without it.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.dispatch import receiver

from comments.signals import thread_changed
from newsroom.memory import BoundedMemory

logger = logging.getLogger(__name__)

FRAGMENT_TIMEOUT = 60 * 60 * 24
VERSION_TIMEOUT = None  # A lost version only costs a re-render; keep it as long as the cache will.


def thread_version_key(article_id: int) -> str:
    return f"comments:thread-version:{article_id}"


def thread_version(article_id: int) -> str | None:
    """The story's current thread version, created if missing; None if the cache is down."""
    key = thread_version_key(article_id)
    try:
        version = cache.get(key)
        if version is None:
            # A fresh random token, never a counter restarting at 1, so fragments
            # rendered before the version was evicted can never match again.
            cache.add(key, uuid.uuid4().hex, VERSION_TIMEOUT)
            version = cache.get(key)
        return version
    except Exception:
        logger.warning("Comment cache unavailable reading the thread version", exc_info=True)
        return None


def bump_thread_version(article_id: int) -> None:
    """Invalidate every cached fragment of the story's thread."""
    try:
        cache.set(thread_version_key(article_id), uuid.uuid4().hex, VERSION_TIMEOUT)
    except Exception:
        # Cannot invalidate: drop the key so no reader trusts the old version.
        logger.error("Comment cache unavailable bumping the thread version", exc_info=True)
        try:
            cache.delete(thread_version_key(article_id))
        except Exception:
            pass


@receiver(thread_changed, dispatch_uid="comments.cache.bump_thread_version")
def _on_thread_changed(sender, article_id, **kwargs):
    bump_thread_version(article_id)


def fragment_key(*, article_id: int, version: str, page: int, sort: str, viewer: str) -> str:
    return f"comments:thread:{article_id}:{version}:{page}:{sort}:{viewer}"


def _fragment_size(value) -> int:
    fragment = value[0]
    # The HTML, plus a rough allowance for each comment's permission data.
    return sum(map(len, fragment.segments)) + 300 * len(fragment.metas)


# A fragment key names a thread version, so what it holds never changes:
# each process keeps the fragments it used lately and asks the shared cache
# only for those it has not seen (see newsroom.memory).
_recent = BoundedMemory(size=_fragment_size, share=0.25)


def get_fragment(key: str | None):
    if key is None:
        return None
    value = _recent.get(key)
    if value is not None:
        return value
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("Comment cache unavailable reading a fragment", exc_info=True)
        return None
    if value is not None:
        _recent.put(key, value)
    return value


def set_fragment(key: str | None, value) -> None:
    if key is None:
        return
    try:
        cache.set(key, value, FRAGMENT_TIMEOUT)
    except Exception:
        logger.warning("Comment cache unavailable storing a fragment", exc_info=True)
    _recent.put(key, value)
