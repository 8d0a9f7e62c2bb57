"""What the live notice on a story page polls: the conversation's version and count.

`static/js/live.js` asks `/comments/story/<id>/status/` every so often and,
when more comments are published than the page it has open shows, offers
to show them. The answer is small and identical for everyone, so it is
stored under the story's page versions (`storypage.versions`): the
versions come from this process's memory of them (read from PostgreSQL at
most once per stated bound), then the answer from the process's memory or
the shared cache, so a poll costs no database query at all on a hit. On a
miss it is one query, read after the versions, so what is stored under a
version is never older than that version (as for cached pages).

The count is of comments any guest may read (`comments.visibility`), the
same number as the page's "N comments": held or removed comments are never
announced, and a reader's own new comment is already counted in the page
they land on after posting it.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from comments.selectors.activity import conversation_status
from newsroom.memory import BoundedMemory
from storypage import versions

logger = logging.getLogger(__name__)

# Part of every key: changed whenever what is stored under it changes shape.
FORMAT = "v1"
STATUS_TIMEOUT = 60 * 60


class LiveStatus(NamedTuple):
    """The answer for one (story, versions); `live` False when readers cannot see the story."""

    live: bool
    count: int = 0
    latest_url: str = ""  # where the newest comment is (reversed once, when stored)


_GONE = LiveStatus(live=False)

# Entries are keyed by the versions they were read at, so they never go stale.
_recent = BoundedMemory(size=lambda value: 100, share=0.01)


def status_key(article_id: int, found: versions.Versions) -> str:
    return f"storypage:status:{FORMAT}:{article_id}:{found.stories}:{found.thread}"


def _cached(key: str) -> LiveStatus | None:
    value = _recent.get(key)
    if value is not None:
        return value
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("Cache unavailable reading a live status", exc_info=True)
        return None
    if isinstance(value, LiveStatus):
        _recent.put(key, value)
        return value
    return None


def _store(key: str, value: LiveStatus) -> None:
    try:
        cache.set(key, value, STATUS_TIMEOUT)
    except Exception:
        logger.warning("Cache unavailable storing a live status", exc_info=True)
    _recent.put(key, value)


def live_status(article_id: int) -> tuple[versions.Versions | None, LiveStatus]:
    """The story's versions and its status at them (see the module's docstring)."""
    found = versions.existing(article_id)
    if found is None:
        # No story has ever had these versions: only a story readers can see
        # gets them made, never an address someone made up.
        if conversation_status(article_id=article_id) is None:
            return None, _GONE
        found = versions.current(article_id)
    key = status_key(article_id, found)
    status = _cached(key)
    if status is None:
        read = conversation_status(article_id=article_id)
        if read is None:
            status = _GONE
        else:
            latest = read.latest_id
            url = reverse("comments:go", kwargs={"pk": latest}) if latest else ""
            status = LiveStatus(True, read.count, url)
        _store(key, status)
    return found, status


@require_GET
def thread_status(request, article_id: int):
    """JSON for the live notice: {"version", "count", "latest_url"}; 404 for a
    story readers cannot see."""
    found, status = live_status(article_id)
    if not status.live:
        raise Http404("No such story.")
    response = JsonResponse(
        {"version": found.thread, "count": status.count, "latest_url": status.latest_url}
    )
    # Always asked again: a browser or CDN keeping it would hide new comments.
    response["Cache-Control"] = "no-cache"
    return response
