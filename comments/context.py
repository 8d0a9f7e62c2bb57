"""What the story page needs to show its conversation.

The articles app calls `comment_section_context` and includes
`comments/_section.html`; everything about the thread stays in this app.

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

from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.db import connection
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from accounts.backends import user_columns, user_from_row
from comments import cache as thread_cache
from comments import services
from comments.forms import CommentForm
from comments.models import Comment, Like
from comments.rendering import ThreadFragment, fill_slots, render_nodes, url_parts
from comments.selectors import (
    SORTS,
    clean_sort,
    thread_nodes,
    thread_roots,
)

DRAFT_SESSION_KEY = "comments:draft"

SORT_LABELS = {"oldest": "Oldest", "newest": "Newest", "liked": "Most liked"}


def login_url(next_url: str) -> str:
    """The log-in page, coming back to `next_url` afterwards."""
    return f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


def viewer_cache_kind(user, *, has_pending: bool) -> str:
    """Which shared rendering a reader gets.

    Guests and signed-in readers see the same comments (guests get log-in
    links instead of like forms); staff also see hidden comments; a reader
    with a comment awaiting moderation sees it, so gets a rendering of their
    own.
    """
    if not user.is_authenticated:
        return "guest"
    if user.is_staff:
        return "staff"
    return f"user-{user.pk}" if has_pending else "reader"


# Building a model instance costs more than the checks that read it, and a
# reader's own comments come back page after page: instances are kept per
# process under their whole meta tuple (any change to it makes a new one).
# The permission checks only read them.
@functools.lru_cache(maxsize=1024)
def _comment_from_meta(meta: tuple) -> Comment:
    (pk, author_id, created_at, status, deleted_at, edited_at, level, lft, rght, tree_id,
     article_id) = meta  # fmt: skip
    return Comment(
        pk=pk,
        author_id=author_id,
        created_at=created_at,
        status=status,
        deleted_at=deleted_at,
        edited_at=edited_at,
        level=level,
        lft=lft,
        rght=rght,
        tree_id=tree_id,
        article_id=article_id,
    )


def reader_controls(
    fragment: ThreadFragment, user, *, by_author: dict[int, tuple[int, ...]] | None = None
) -> dict[int, str]:
    """The Edit / Delete links `user` gets on the fragment's comments, by comment id.

    Only staff may act on other people's comments, so for everyone else
    just their own comments on the page are checked: found through
    `by_author` (comment ids by author) when given, else by a scan.
    """
    if not user.is_authenticated:
        return {}
    # Plain values once: request.user is a lazy object, slow to ask per comment.
    is_staff, user_id = user.is_staff, user.pk
    metas = fragment.metas
    if by_author is not None and not is_staff:
        mine = [(pk, metas[pk]) for pk in by_author.get(user_id, ())]
    else:
        mine = [(pk, meta) for pk, meta in metas.items() if is_staff or meta[1] == user_id]
    if not mine:
        return {}
    edit_prefix, edit_suffix = url_parts("edit")
    delete_prefix, delete_suffix = url_parts("delete")
    extras = {}
    for pk, meta in mine:
        comment = _comment_from_meta(meta)
        links = []
        if services.can_edit(comment=comment, user=user):
            links.append(f'<a class="comment__edit" href="{edit_prefix}{pk}{edit_suffix}">Edit</a>')
        if services.can_delete(comment=comment, user=user):
            links.append(
                f'<a class="comment__delete" href="{delete_prefix}{pk}{delete_suffix}">Delete</a>'
            )
        if links:
            extras[pk] = "\n" + "\n".join(links)
    return extras


def reader_html(
    fragment: ThreadFragment,
    *,
    request,
    liked: frozenset[int],
    csrf_token: str | None = None,
    controls: dict[int, str] | None = None,
) -> str:
    """A shared thread fragment with this reader's controls filled in.

    `controls` are what `reader_controls` returned for this reader, if known.
    """
    if csrf_token is None and fragment.slots:
        csrf_token = get_token(request)
    if controls is None:
        controls = reader_controls(fragment, request.user)
    return mark_safe(
        fill_slots(fragment, csrf_token=csrf_token or "", liked=liked, extras=controls)
    )


def render_thread(*, nodes, user) -> ThreadFragment:
    """Render nodes to the HTML shared by readers of `user`'s kind."""
    return render_nodes(nodes, guest=not user.is_authenticated)


def thread_html_for(*, request, nodes, liked: frozenset[int]) -> str:
    """Uncached rendering with the reader's controls (permalink and subtree pages)."""
    return reader_html(render_thread(nodes=nodes, user=request.user), request=request, liked=liked)


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
    return reader_and_state(user_id=user.pk, article_id=article_id)[1]


# Raw SQL: this runs on every signed-in story page, and building it through
# the ORM costs more Python time than the query takes to run.
@functools.cache
def _reader_and_state_sql() -> str:
    columns, _names = user_columns("u")
    model = get_user_model()
    return f"""
SELECT {columns},
    ARRAY(
        SELECT comment_id FROM {Like._meta.db_table}
        WHERE user_id = u.{model._meta.pk.column} AND article_id = %(article)s
    ),
    EXISTS(
        SELECT 1 FROM {Comment._meta.db_table}
        WHERE article_id = %(article)s AND author_id = u.{model._meta.pk.column}
          AND status = ANY(%(held)s) AND deleted_at IS NULL
    )
FROM {model._meta.db_table} u WHERE u.{model._meta.pk.column} = %(user)s
"""


def reader_and_state(*, user_id, article_id: int):
    """The user with this id and their `ReaderState` on the story, in one query.

    (None, empty state) if there is no such user. The user is as
    `accounts.backends.fetch_user` reads it, to hand to `preloaded()`;
    whether they are signed in is still for Django's session checks to say.
    Staff see every held comment anyway, so theirs never counts as pending.
    """
    params = {"user": user_id, "article": article_id, "held": list(Comment.HELD_STATUSES)}
    with connection.cursor() as cursor:
        cursor.execute(_reader_and_state_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return None, _NO_STATE
    user = user_from_row(row[:-2])
    liked, has_pending = row[-2:]
    return user, ReaderState(has_pending=has_pending and not user.is_staff, liked=frozenset(liked))


def _clean_page(value) -> int:
    """A requested thread page number; anything but a positive integer is page 1."""
    try:
        return max(1, min(int(value), 1_000_000))
    except (TypeError, ValueError):
        return 1


def _page_query(sort: str, page: int) -> str:
    return urlencode({"cpage": page, "sort": sort})


# Stands for the reader's thread in a page rendered to be shared
# (articles.reader_pages); random, so no comment or story text can match it.
THREAD_PLACEHOLDER = f"\x00{secrets.token_hex(8)}:thread\x00"


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

    `thread_version`: the story's thread version if the caller has just read
    it (a page about to be stored has); else it is read here.
    """
    user = request.user
    sort = clean_sort(request.GET.get("sort"))
    requested_page = _clean_page(request.GET.get("cpage"))
    if state is None:
        state = reader_state(article_id=article.pk, user=user)

    kind = viewer_cache_kind(user, has_pending=state.has_pending)
    version = thread_version or thread_cache.thread_version(article.pk)
    key = (
        thread_cache.fragment_key(
            article_id=article.pk, version=version, page=requested_page, sort=sort, viewer=kind
        )
        if version is not None
        else None
    )
    cached = thread_cache.get_fragment(key)
    if cached is None:
        rows, number, num_pages, thread_count, count = thread_roots(
            article=article, user=user, page=requested_page, sort=sort
        )
        nodes = thread_nodes(article=article, roots=rows, user=user)
        fragment = render_thread(nodes=nodes, user=user)
        cached = (fragment, number, num_pages, thread_count, count, bool(rows))
        thread_cache.set_fragment(key, cached)
    fragment, number, num_pages, thread_count, count, has_roots = cached

    if shared:
        thread_html = mark_safe(THREAD_PLACEHOLDER)
    else:
        thread_html = reader_html(fragment, request=request, liked=state.liked)

    story_url = article.get_absolute_url()
    is_open = article.comments_are_open
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
            "has_comments": has_roots,
            "count": count,
            "count_label": f"{count} comment{'' if count == 1 else 's'}",
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
                "num_pages": num_pages,
                "previous_url": f"?{_page_query(sort, number - 1)}#comments"
                if number > 1
                else "",
                "next_url": f"?{_page_query(sort, number + 1)}#comments"
                if number < num_pages
                else "",
            },
            "thread_count": thread_count,
            "is_open": is_open,
            "closed_message": closed_message(article),
            "form": form,
            "post_url": reverse("comments:post", kwargs={"article_id": article.pk}),
            "login_url": login_url(f"{story_url}#comment-form"),
        }
    }


def closed_message(article) -> str:
    """Why a story takes no comments, or "" when it does."""
    if article.comments_are_open:
        return ""
    close_at = article.comments_close_at
    if article.comments_open and close_at is not None:
        local = timezone.localtime(close_at)
        return f"Comments closed on {local.day} {local:%B %Y}."
    return "Comments are closed."


def save_draft(request, *, article_id: int, body: str, parent_id: int | None = None) -> None:
    """Keep a guest's comment across log-in so it is not lost."""
    request.session[DRAFT_SESSION_KEY] = {
        "article_id": article_id,
        "body": body,
        "parent_id": parent_id,
    }


def pop_draft(request, *, article_id: int, peek: bool = False) -> str:
    """The draft typed for this story before logging in ("" if none).

    `peek` leaves it in the session: the draft is cleared only once the
    comment is actually posted.
    """
    if not hasattr(request, "session"):
        return ""
    draft = request.session.get(DRAFT_SESSION_KEY)
    if not draft or draft.get("article_id") != article_id:
        return ""
    if not peek:
        del request.session[DRAFT_SESSION_KEY]
    return draft.get("body", "")
