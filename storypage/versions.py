"""Which cached story pages are current: versions kept in PostgreSQL.

Every cached copy of a story page (a guest's page, the rendering shared by
signed-in readers, a thread fragment) is stored with, or under, the two
versions it was rendered at: the story's thread version and the stories
version (any story, source, tag or site setting). Those versions live in
the `PageVersion` table and every write changes them in its own
transaction (`storypage.signals`), so:

- a cache failure can lose cached pages, never make an old one current:
  the cache holds content only, and an entry whose versions are not the
  database's is never served;
- a write that commits has changed the versions with it; a write that
  rolls back has not.

Reading the versions is one small query. Signed-in readers (every writer
among them) read them fresh on each request, so they always see their own
change at once. A guest's page is served with the versions this process
read at most `NEWSROOM_STALE_BOUND_SECONDS` ago (1 s by default): every
app server stops serving a page within that bound of the write that made
it stale, whatever the cache did.

A page must read its versions before anything it shows: what is read
after them is at least as new, so content stored under a version is never
older than that version.
"""

from __future__ import annotations

import threading
import time
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, OuterRef, Subquery, UUIDField, Value
from django.db.models.functions import Cast, Concat

from storypage.models import PageVersion

STORIES = "stories"
_TABLE = PageVersion._meta.db_table


class Versions(NamedTuple):
    """What a story page was (or is about to be) rendered at."""

    stories: str
    thread: str


def thread_scope(article_id: int) -> str:
    return f"thread:{article_id}"


# scope -> (token, when this process asked for it, by clock())
_seen: dict[str, tuple[str, float]] = {}
_lock = threading.Lock()
_SEEN_MAX = 50_000


def _read(scopes: list[str]) -> dict[str, str]:
    """The tokens of `scopes`, creating those that have none yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT scope, token::text FROM {_TABLE} WHERE scope = ANY(%s)", [scopes]
        )
        found = dict(cursor.fetchall())
        missing = [scope for scope in scopes if scope not in found]
        if missing:
            # A random token, never a counter starting again at 1: a
            # database restored from a backup cannot match old cached pages.
            cursor.execute(
                f"INSERT INTO {_TABLE} (scope, token) "
                "SELECT unnest(%s::text[]), gen_random_uuid() ON CONFLICT (scope) DO NOTHING",
                [missing],
            )
            cursor.execute(
                f"SELECT scope, token::text FROM {_TABLE} WHERE scope = ANY(%s)", [missing]
            )
            found.update(cursor.fetchall())
    return found


def current(article_id: int) -> Versions:
    """The versions of `article_id`'s page, as this process read them at most
    the stated bound ago (else read now: one query). Signed-in readers' pages
    read theirs fresh instead, in the reader query (`storypage.section`).
    """
    return _current(article_id, create=True)  # never None: missing versions are created


def existing(article_id: int) -> Versions | None:
    """`current`, without creating versions a story has not got yet (None):
    for addresses anyone can make up, such as the live notice's status."""
    return _current(article_id, create=False)


def _current(article_id: int, *, create: bool) -> Versions | None:
    scopes = [STORIES, thread_scope(article_id)]
    now = clock()
    bound = settings.NEWSROOM_STALE_BOUND_SECONDS
    with _lock:
        known = [_seen.get(scope) for scope in scopes]
    if all(item is not None and now - item[1] < bound for item in known):
        return Versions(known[0][0], known[1][0])
    if create:
        found = _read(scopes)
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT scope, token::text FROM {_TABLE} WHERE scope = ANY(%s)", [scopes]
            )
            found = dict(cursor.fetchall())
        if len(found) < len(scopes):
            return None
    with _lock:
        if len(_seen) >= _SEEN_MAX:
            _seen.clear()
        for scope in scopes:
            _seen[scope] = (found[scope], now)
    return Versions(found[STORIES], found[scopes[1]])


def _bump(scopes: list[str]) -> None:
    """Give `scopes` new tokens, in the caller's transaction."""
    if not scopes:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (scope, token) "
            "SELECT unnest(%s::text[]), gen_random_uuid() "
            "ON CONFLICT (scope) DO UPDATE SET token = EXCLUDED.token",
            [scopes],
        )

    def forget():
        # This process need not wait out the bound for its own writes: now,
        # for later reads on this connection, and again once committed.
        with _lock:
            for scope in scopes:
                _seen.pop(scope, None)

    forget()
    transaction.on_commit(forget)


def bump_threads(article_ids) -> None:
    """Every cached page showing these stories' conversations is stale."""
    _bump(sorted({thread_scope(article_id) for article_id in article_ids}))


def bump_stories() -> None:
    """Every cached story page is stale (a story, source, tag or setting changed)."""
    _bump([STORIES])



def _token_of(scope) -> Subquery:
    return Subquery(
        PageVersion.objects.filter(scope=scope).values("token"), output_field=UUIDField()
    )


def with_versions(articles):
    """`articles` with their page versions read in the same statement.

    One statement sees one snapshot: the versions are exactly those of the
    story as read, so a page rendered from it can be stored under them.
    """
    return articles.annotate(
        _stories_token=_token_of(STORIES),
        _thread_token=_token_of(Concat(Value("thread:"), Cast(OuterRef("pk"), CharField()))),
    )


def clock() -> float:
    """The time this module measures the bound in."""
    return time.monotonic()


def of(article, *, asked_at: float) -> Versions | None:
    """The versions read with `article` (see `with_versions`), whose query
    was sent at `asked_at` (`clock()`): this process may go on using them
    for the stated bound from then, never from later.

    None when a version has no row yet: what is rendered now is not
    stored (a writer may create the row meanwhile), and the rows are
    created for the next reader.
    """
    stories, thread = article._stories_token, article._thread_token
    if stories is None or thread is None:
        _read([STORIES, thread_scope(article.pk)])
        return None
    found = Versions(str(stories), str(thread))
    with _lock:
        _seen[STORIES] = (found.stories, asked_at)
        _seen[thread_scope(article.pk)] = (found.thread, asked_at)
    return found
