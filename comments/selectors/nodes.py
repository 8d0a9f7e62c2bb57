"""Comments turned into the flat list of nodes a thread page prints.

A page can hold thousands of comments, so the comments are read as plain
named rows (`CommentRow`) and each node keeps its row as is: building model
instances, or working out every printed value up front, costs more than
rendering the page. `comments.rendering.render_nodes` reads the rows
directly; the properties here give the same values to the permalink page's
template.
"""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from comments.models import Comment
from comments.visibility import HELD_STATUSES, PUBLISHED, Reader, may_read, reader_of

REMOVED_TEXT = "This comment was removed."
UNAVAILABLE_TEXT = "This comment is not available."
DELETED_TEXT = "[deleted]"
HELD_NOTICE = "Awaiting moderation — only you and the moderators can see it."


class CommentMeta(NamedTuple):
    """What the Edit / Delete checks need of a comment, kept with a rendered
    thread: the rules of `comments.services` take it as they take a Comment."""

    id: int
    author_id: int | None
    created_at: datetime
    status: str
    deleted_at: datetime | None
    edited_at: datetime | None
    level: int
    lft: int
    rght: int
    tree_id: int
    article_id: int

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


# The columns a node needs, read as one plain row per comment: the meta's,
# then what printing it takes.
CommentRow = NamedTuple(
    "CommentRow",
    [
        *CommentMeta.__annotations__.items(),
        ("parent_id", int | None),
        ("author_name", str),
        ("username", str | None),  # the author's, when the comment has one
        ("body_html", str),
        ("edited_by_moderator", bool),
        ("like_count", int),
        ("featured_at", datetime | None),  # an editors' pick since then
    ],
)
# What each CommentRow field is read from, for values_list() and SQL.
ROW_COLUMNS = tuple(
    "author__username" if name == "username" else name for name in CommentRow._fields
)

_META_VALUES = attrgetter(*CommentMeta._fields)


def meta_of(row: CommentRow) -> CommentMeta:
    return CommentMeta._make(_META_VALUES(row))


_HELD = frozenset(HELD_STATUSES)
# (state, placeholder, notice) of a comment every reader may read.
SHOWN = ("published", "", "")


def comment_rows(queryset) -> list[CommentRow]:
    """The queryset's comments as rows, in its order (one query)."""
    return list(map(CommentRow._make, queryset.values_list(*ROW_COLUMNS)))


def like_label(count: int) -> str:
    """The sentence under a comment: nothing at 0, then person / people."""
    if count <= 0:
        return ""
    return "Liked by 1 person" if count == 1 else f"Liked by {count} people"


def row_display_name(row: CommentRow) -> str:
    if row.author_id is not None:
        return row.username
    return row.author_name or "Anonymous"


MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_date(moment, tz) -> str:
    """"28 Nov 2026, 14:05" in the site's time zone (strftime is slower, per comment)."""
    local = moment.astimezone(tz)
    return f"{local.day} {MONTHS[local.month]} {local.year}, {local.hour:02d}:{local.minute:02d}"


class CommentNode:
    """One comment as the thread prints it.

    Holds the comment's row (CommentRow), its level relative to the top of
    what is shown, the reader's view of it (state, placeholder, notice) and
    its place in the nesting; everything else is derived on demand.
    """

    __slots__ = (
        "has_more", "level", "next_level", "notice", "placeholder", "reply_count", "row", "state",
    )  # fmt: skip

    def __init__(
        self,
        row: CommentRow,
        level: int,
        state: str,
        placeholder: str = "",
        notice: str = "",
        has_more: bool = False,
        reply_count: int = 0,
        next_level: int = 0,
    ):
        self.row = row
        self.level = level
        # "published", "deleted", or a placeholder/notice state (see row_state).
        self.state = state
        self.placeholder = placeholder
        self.notice = notice
        # At the last display level with replies: "Continue this thread".
        self.has_more = has_more
        # Replies under it this reader may read, the whole subtree, shown or
        # not (printed for top-level comments); build_nodes counts those shown,
        # and the thread's selectors put in the whole count.
        self.reply_count = reply_count
        # The level of the node printed after this one (0 after the last).
        self.next_level = next_level

    def __repr__(self) -> str:
        return f"<CommentNode {self.id} level {self.level} {self.state}>"

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def display_name(self) -> str:
        return "" if self.placeholder else row_display_name(self.row)

    @property
    def body_html(self) -> str:
        return "" if self.placeholder else mark_safe(self.row.body_html)

    @property
    def created_iso(self) -> str:
        return self.row.created_at.isoformat()

    @property
    def created_human(self) -> str:
        return human_date(self.row.created_at, timezone.get_current_timezone())

    @property
    def anchor(self) -> str:
        return f"comment-{self.row.id}"


def row_state(row: CommentRow, *, reader: Reader) -> tuple[str, str, str]:
    """(state, placeholder, notice) of a comment row for this reader.

    A placeholder replaces the author and body of a comment the reader may
    not read (`comments.visibility`); a notice is shown next to one they may
    read but others may not (their own held comment, or any hidden comment
    for moderators).
    """
    if row.deleted_at is not None:
        return "deleted", DELETED_TEXT, ""
    status = row.status
    if status == PUBLISHED:
        return SHOWN
    held = status in _HELD
    if not may_read(status=status, deleted_at=None, author_id=row.author_id, reader=reader):
        # Held as spam looks the same as pending to everyone: never tell a spammer.
        return ("pending", UNAVAILABLE_TEXT, "") if held else (status, REMOVED_TEXT, "")
    if reader.is_moderator and status != Comment.Status.PENDING:
        label = Comment.Status(status).label.lower()
        return status, "", f"Hidden from readers ({label})."
    return "pending", "", HELD_NOTICE


def context_nodes(rows: list[CommentRow], *, user) -> list[CommentNode]:
    """A parent chain printed flat for context; hidden comments as placeholders."""
    reader = reader_of(user)
    return [CommentNode(row, 0, *row_state(row, reader=reader)) for row in rows]


def build_nodes(rows: list[CommentRow], *, user, base_level: int) -> list[CommentNode]:
    """Turn comment rows in tree order into nodes.

    Placeholders stay in place while anything under them is readable; a
    subtree with nothing readable is dropped whole, so the nesting of what
    remains is still a valid tree. Comments at the last display level that
    have replies get a "Continue this thread" link instead of their replies.
    """
    if not rows:
        return []
    reader = reader_of(user)
    last_level = base_level + settings.NEWSROOM_COMMENT_DISPLAY_DEPTH - 1
    count = len(rows)
    states: list[tuple | None] = [None] * count
    # Walk backwards so children are settled before their parents: how many
    # comments are shown below each one (absent: none, or not kept itself).
    shown_below: dict[int, int] = {}
    ids = {row.id for row in rows}
    for index in range(count - 1, -1, -1):
        row = rows[index]
        if row.deleted_at is None and row.status == PUBLISHED:
            state = SHOWN
        else:
            state = row_state(row, reader=reader)
        below = shown_below.get(row.id, 0)
        if not state[1] or below or (row.level == last_level and row.rght - row.lft > 1):
            states[index] = state
            parent_id = row.parent_id
            if parent_id in ids:
                shown_below[parent_id] = shown_below.get(parent_id, 0) + 1 + below

    nodes: list[CommentNode] = []
    append = nodes.append
    previous = None
    for row, state in zip(rows, states, strict=True):
        if state is None:
            continue
        level = row.level
        node = CommentNode(
            row,
            level - base_level,
            state[0],
            state[1],
            state[2],
            level == last_level and row.rght - row.lft > 1,
            shown_below.get(row.id, 0),
        )
        if previous is not None:
            previous.next_level = node.level
        append(node)
        previous = node
    return nodes
