"""The story page's comment section: the thread, its pages and sorts, the form.

The story view calls `comment_section_context` and its template includes
`comments/_section.html`.

The thread itself is rendered once per (story, thread version, page, sort,
viewer kind) and cached (`comments.rendering`); what differs per reader (the
like button's state, Edit and Delete, the CSRF token) is never in that shared
HTML: `reader_html` fills those slots from one small query for the reader's
likes.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from accounts.backends import user_columns, user_from_row
from comments import visibility
from comments.drafts import login_url, pop_draft, signup_url
from comments.forms import CommentForm
from comments.models import Comment, Like
from comments.readers import reader_html, render_thread
from comments.rendering import ThreadFragment
from comments.selectors import (
    DEFAULT_SORT,
    SORTS,
    clean_sort,
    thread_nodes,
    thread_roots,
)
from storypage import fragments as thread_cache
from storypage import versions
from storypage.models import PageVersion

SORT_LABELS = {"oldest": "Oldest", "newest": "Newest", "liked": "Most liked"}
READER_KIND = "reader"  # signed-in readers with nothing held: one rendering for all
GUEST_KIND = "guest"


def viewer_cache_kind(user, *, has_pending: bool) -> str:
    """Which shared rendering a reader gets.

    Guests and signed-in readers see the same comments (guests get log-in
    links instead of like forms); staff also see hidden comments; a reader
    with a comment awaiting moderation sees it, so gets a rendering of their
    own.
    """
    if not user.is_authenticated:
        return GUEST_KIND
    if visibility.is_moderator(user):
        return "staff"
    return f"user-{user.pk}" if has_pending else READER_KIND


@dataclass(frozen=True, slots=True)
class ReaderState:
    """What about a story's conversation is this reader's own."""

    has_pending: bool = False  # a comment of theirs awaits moderation here
    liked: frozenset[int] = frozenset()  # ids of the story's comments they like


_NO_STATE = ReaderState()


def reader_state(*, article_id: int, user) -> ReaderState:
    """The reader's likes on the story and whether they have a held comment: one query.

    Empty for guests. Staff see every held comment anyway, so theirs never
    counts as pending.
    """
    if user is None or not user.is_authenticated:
        return _NO_STATE
    return reader_and_state(user_id=user.pk, article_id=article_id).state


# Raw SQL: this runs on every signed-in story page, and building it through
# the ORM costs more Python time than the query takes to run. A held comment
# is one of `visibility.HELD_STATUSES` its author has not deleted (a test
# holds this to `visibility.may_read`).
@functools.cache
def _reader_and_state_sql() -> str:
    columns, _names = user_columns("u")
    model = get_user_model()
    pk = model._meta.pk.column
    return f"""
SELECT {columns},
    ARRAY(
        SELECT comment_id FROM {Like._meta.db_table}
        WHERE user_id = u.{pk} AND article_id = %(article)s
    ),
    EXISTS(
        SELECT 1 FROM {Comment._meta.db_table}
        WHERE article_id = %(article)s AND author_id = u.{pk}
          AND status = ANY(%(held)s) AND deleted_at IS NULL
    ),
    (SELECT token::text FROM {PageVersion._meta.db_table} WHERE scope = %(stories)s),
    (SELECT token::text FROM {PageVersion._meta.db_table} WHERE scope = %(thread)s),
    (
        SELECT md5(session_data) FROM {Session._meta.db_table}
        WHERE session_key = %(session)s AND expire_date > %(now)s
    )
FROM {model._meta.db_table} u WHERE u.{pk} = %(user)s
"""


class Reader(NamedTuple):
    """A signed-in reader as one story page needs them, read in one statement."""

    user: object  # None if there is no such user
    state: ReaderState
    versions: versions.Versions | None  # the page's versions now; None if not yet created
    session_digest: str | None  # of their session's row now; None if gone or expired


def reader_and_state(*, user_id, article_id: int, session_key: str | None = None) -> Reader:
    """The user with this id, their `ReaderState` on the story, the page's
    versions and the digest of the session row `session_key` names.

    One query. The user is as `accounts.backends.fetch_user` reads it, to
    hand to `preloaded()`; whether they are signed in is still for Django's
    session checks to say. Staff see every held comment anyway, so theirs
    never counts as pending. The versions are read fresh: a reader always
    sees their own writes at once.
    """
    params = {
        "user": user_id,
        "article": article_id,
        "held": list(visibility.HELD_STATUSES),
        "stories": versions.STORIES,
        "thread": versions.thread_scope(article_id),
        "session": session_key,
        "now": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_reader_and_state_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return Reader(None, _NO_STATE, None, None)
    width = len(user_columns("u")[1])
    user = user_from_row(row[:width])
    more = _ReaderColumns._make(row[width:])
    state = ReaderState(
        has_pending=more.has_pending and not visibility.is_moderator(user), liked=frozenset(more.liked)
    )
    found = (
        versions.Versions(more.stories, more.thread) if more.stories and more.thread else None
    )
    return Reader(user, state, found, more.session_digest)


class _ReaderColumns(NamedTuple):
    """The reader query's columns after the user's, in the order it selects them."""

    liked: list[int]
    has_pending: bool
    stories: str | None
    thread: str | None
    session_digest: str | None


def _clean_page(value) -> int:
    """A requested thread page number; anything but a positive integer is page 1."""
    try:
        return max(1, min(int(value), 1_000_000))
    except (TypeError, ValueError):
        return 1


def page_and_sort(request) -> tuple[int, str]:
    """The thread page and sort a story page request asks for, cleaned."""
    return _clean_page(request.GET.get("cpage")), clean_sort(request.GET.get("sort"))


def page_path(path: str, *, page: int, sort: str) -> str:
    """The address of one page of a story's thread: what the page shows, nothing else.

    Cached pages are stored under it, so no other query parameter makes a
    new entry.
    """
    query = {}
    if page > 1:
        query["cpage"] = page
    if sort != DEFAULT_SORT:
        query["sort"] = sort
    return f"{path}?{urlencode(query)}" if query else path


def _page_query(sort: str, page: int) -> str:
    return urlencode({"cpage": page, "sort": sort})


def page_numbers(number: int, num_pages: int, *, around: int = 2) -> list[int | None]:
    """The thread pages to link: the first, the last, and `around` either side
    of this one; None where pages are left out."""
    shown = sorted(
        {1, num_pages} | set(range(max(1, number - around), min(num_pages, number + around) + 1))
    )
    numbers: list[int | None] = []
    for page in shown:
        if numbers and page - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(page)
    return numbers


# Stands for the reader's thread in a page rendered to be shared
# (storypage.shared_pages); random, so no comment or story text can match it.
THREAD_PLACEHOLDER = f"\x00{secrets.token_hex(8)}:thread\x00"


class SectionThread(NamedTuple):
    """One page of a story's thread as rendered for a kind of reader (what is cached)."""

    fragment: ThreadFragment
    number: int  # the page shown (a page past the end shows the last)
    num_pages: int
    thread_count: int
    comment_count: int
    has_roots: bool
    featured_count: int  # editors' picks every reader may read


class _AnySignedInReader:
    """Who the rendering shared by signed-in readers is made for: a reader
    with no held comment of their own, so it shows nothing only one reader
    may see, whoever's request renders it."""

    is_authenticated = True
    is_staff = False
    pk = None


def _renders_for(user, kind: str):
    return _AnySignedInReader() if kind == READER_KIND else user


def comment_section_context(
    *,
    request,
    article,
    state: ReaderState | None = None,
    shared: bool = False,
    thread_version: str | None = None,
) -> dict:
    """Template context for the comment section under `article`.

    Queries: the reader's state (signed-in readers only, unless given as
    `state`), then the page's top-level comments with the totals and the
    thread, only when the cached rendering is missing.

    `shared` renders the section for any reader of the same kind: the thread
    is left as THREAD_PLACEHOLDER, for `reader_html` to fill per reader from
    `comment_section["fragment"]`, and the form holds no draft.

    `thread_version`: the story's thread version as read with the story
    (`storypage.versions.of`); without it the thread is rendered and not
    cached.
    """
    user = request.user
    requested_page, sort = page_and_sort(request)
    if state is None:
        state = reader_state(article_id=article.pk, user=user)

    kind = viewer_cache_kind(user, has_pending=state.has_pending)
    # Closing comments (by the story, or by the site's period running out)
    # takes the Reply links away: a closed story's threads are kept apart.
    is_open = article.comments_are_open
    key = (
        thread_cache.fragment_key(
            article_id=article.pk,
            version=thread_version,
            page=requested_page,
            sort=sort,
            viewer=kind if is_open else f"{kind}:closed",
        )
        if thread_version is not None
        else None
    )
    # A guest's thread stays in this process's memory: their whole page is
    # what the shared cache holds (see storypage.fragments).
    in_cache = kind != GUEST_KIND
    thread = thread_cache.get_fragment(key, shared_cache=in_cache)
    if not isinstance(thread, SectionThread):
        reader = _renders_for(user, kind)
        rows, number, num_pages, thread_count, count = thread_roots(
            article=article, user=reader, page=requested_page, sort=sort
        )
        nodes = thread_nodes(article=article, roots=rows, user=reader)
        thread = SectionThread(
            fragment=render_thread(nodes=nodes, user=reader, can_reply=is_open),
            number=number,
            num_pages=num_pages,
            thread_count=thread_count,
            comment_count=count,
            has_roots=bool(rows),
            featured_count=rows[0].featured_total if rows else 0,
        )
        thread_cache.set_fragment(key, thread, shared_cache=in_cache)
    fragment, number, count = thread.fragment, thread.number, thread.comment_count
    featured = thread.featured_count

    if shared:
        thread_html = mark_safe(THREAD_PLACEHOLDER)
    else:
        thread_html = reader_html(fragment, request=request, liked=state.liked)

    story_url = article.get_absolute_url()
    form = None
    if is_open and user.is_authenticated:
        draft = "" if shared else pop_draft(request, article_id=article.pk, peek=True)
        form = CommentForm(initial={"body": draft})

    return {
        "comment_section": {
            "article": article,
            "thread_html": thread_html,
            "fragment": fragment,
            "fragment_key": key,
            "has_comments": thread.has_roots,
            "count": count,
            "count_label": f"{count} comment{'' if count == 1 else 's'}",
            "featured_count": featured,
            "featured_label": f"{featured} featured comment{'' if featured == 1 else 's'}",
            "featured_url": reverse("comments:featured", kwargs={"article_id": article.pk}),
            # What the live notice compares with (static/js/live.js): the same
            # for every reader of a stored rendering, like the count above.
            "thread_version": thread_version or "",
            "status_url": reverse("storypage:status", kwargs={"article_id": article.pk}),
            "poll_seconds": f"{settings.NEWSROOM_LIVE_POLL_SECONDS:g}",
            "sort": sort,
            "sorts": [
                {
                    "key": key_,
                    "label": SORT_LABELS[key_],
                    "url": f"?{urlencode({'sort': key_})}#comments",
                    "current": key_ == sort,
                }
                for key_ in SORTS
            ],
            "page": {
                "number": number,
                "num_pages": thread.num_pages,
                "previous_url": f"?{_page_query(sort, number - 1)}#comments"
                if number > 1
                else "",
                "next_url": f"?{_page_query(sort, number + 1)}#comments"
                if number < thread.num_pages
                else "",
                "links": [
                    {"gap": True}
                    if page is None
                    else {
                        "number": page,
                        "url": f"?{_page_query(sort, page)}#comments",
                        "current": page == number,
                        "last": page == thread.num_pages,
                    }
                    for page in page_numbers(number, thread.num_pages)
                ],
            },
            "is_requested_page": number == requested_page,
            "page_path": page_path(story_url, page=number, sort=sort),
            "thread_count": thread.thread_count,
            "is_open": is_open,
            "closed_message": article.comments_closed_message,
            "form": form,
            "post_url": reverse("comments:post", kwargs={"article_id": article.pk}),
            "form_url": f"{story_url}#comment-form",
            "login_url": login_url(f"{story_url}#comment-form"),
            "signup_url": signup_url(f"{story_url}#comment-form"),
        }
    }


