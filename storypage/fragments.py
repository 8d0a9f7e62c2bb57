"""Cached thread fragments of story pages, stored under the version of the thread they show.

A fragment key names the story's thread version (kept in the database and
changed by every comment write: see `storypage.versions`), so a fragment
is never served after a write that changed its thread, on any number of
app servers, whatever the cache did. Old fragments simply expire.

Guests' fragments are kept in each process's memory only: a guest's whole
page, thread and all, is what goes to the shared cache
(`storypage.guest_pages`), and the same HTML twice there would only crowd
out other pages.

The cache is an optimisation only: if the backend raises (Redis down,
timeout), reads fall back to rendering without it.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

from newsroom.memory import BoundedMemory

logger = logging.getLogger(__name__)

FRAGMENT_TIMEOUT = 60 * 60 * 24


# Part of every key: changed whenever what is stored under it changes shape,
# so a server never reads a fragment an older release stored.
FORMAT = "v3"


def fragment_key(*, article_id: int, version: str, page: int, sort: str, viewer: str) -> str:
    return f"storypage:thread:{FORMAT}:{article_id}:{version}:{page}:{sort}:{viewer}"


def _fragment_size(value) -> int:
    fragment = value.fragment  # a storypage.section.SectionThread
    # The HTML, plus a rough allowance for each comment's permission data.
    return sum(map(len, fragment.segments)) + 300 * len(fragment.metas)


# A fragment key names a thread version, so what it holds never changes:
# each process keeps the fragments it used lately and asks the shared cache
# only for those it has not seen (see newsroom.memory).
_recent = BoundedMemory(size=_fragment_size, share=0.25)


def get_fragment(key: str | None, *, shared_cache: bool = True):
    """The fragment stored under `key`: from this process's memory, else
    (if `shared_cache`) from the shared cache; None if neither has it."""
    if key is None:
        return None
    value = _recent.get(key)
    if value is not None or not shared_cache:
        return value
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("Comment cache unavailable reading a fragment", exc_info=True)
        return None
    if value is not None:
        _recent.put(key, value)
    return value


def set_fragment(key: str | None, value, *, shared_cache: bool = True) -> None:
    """Keep a fragment in this process's memory and (if `shared_cache`) in the shared cache."""
    if key is None:
        return
    if shared_cache:
        try:
            cache.set(key, value, FRAGMENT_TIMEOUT)
        except Exception:
            logger.warning("Comment cache unavailable storing a fragment", exc_info=True)
    _recent.put(key, value)
