"""Comments turned into the flat list of nodes a thread page prints.

A page can hold thousands of comments, so the comments are read as plain
tuples (`comment_rows`) and each node keeps its row as is: building model
instances, or working out every printed value up front, costs more than
rendering the page. `comments.rendering.render_nodes` reads the rows
directly; the properties here give the same values to templates and tests.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from comments.models import Comment
from comments.visibility import HELD_STATUSES, PUBLISHED, Reader, may_read, reader_of

REMOVED_TEXT = "This comment was removed."
UNAVAILABLE_TEXT = "This comment is not available."
DELETED_TEXT = "[deleted]"
HELD_NOTICE = "Awaiting moderation — only you and the moderators can see it."

# The columns a node needs, read as plain tuples. The first META_LENGTH of
# them, in this order, are what permission checks need later (`CommentNode.meta`).
ROW_FIELDS = (
    "id", "author_id", "created_at", "status", "deleted_at", "edited_at",
    "level", "lft", "rght", "tree_id", "article_id",
    "parent_id", "author_name", "author__username", "body_html", "edited_by_moderator",
    "like_count",
)  # fmt: skip
(
    ID, AUTHOR_ID, CREATED_AT, STATUS, DELETED_AT, EDITED_AT,
    LEVEL, LFT, RGHT, TREE_ID, ARTICLE_ID,
    PARENT_ID, AUTHOR_NAME, USERNAME, BODY_HTML, EDITED_BY_MODERATOR,
    LIKE_COUNT,
) = range(len(ROW_FIELDS))  # fmt: skip
META_LENGTH = 11

_HELD = frozenset(HELD_STATUSES)
# (state, placeholder, notice) of a comment every reader may read.
SHOWN = ("published", "", "")


def comment_rows(queryset) -> list[tuple]:
    """The queryset's comments as ROW_FIELDS tuples, in its order (one query)."""
    return list(queryset.values_list(*ROW_FIELDS))


def like_label(count: int) -> str:
    """The sentence under a comment: nothing at 0, then person / people."""
    if count <= 0:
        return ""
    return "Liked by 1 person" if count == 1 else f"Liked by {count} people"


def row_display_name(row: tuple) -> str:
    if row[AUTHOR_ID] is not None:
        return row[USERNAME]
    return row[AUTHOR_NAME] or "Anonymous"


MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_date(moment, tz) -> str:
    """"28 Nov 2026, 14:05" in the site's time zone (strftime is slower, per comment)."""
    local = moment.astimezone(tz)
    return f"{local.day} {MONTHS[local.month]} {local.year}, {local.hour:02d}:{local.minute:02d}"


def _url(name: str, pk: int) -> str:
    return reverse(f"comments:{name}", kwargs={"pk": pk})


class CommentNode:
    """One comment as the thread prints it.

    Holds the comment's row (ROW_FIELDS), its level relative to the top of
    what is shown, the reader's view of it (state, placeholder, notice) and
    its place in the nesting; everything else is derived on demand.
    """

    __slots__ = (
        "has_more", "level", "next_level", "notice", "placeholder", "reply_count", "row", "state",
    )  # fmt: skip

    def __init__(
        self,
        row: tuple,
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
        # Replies shown under it (printed for top-level comments).
        self.reply_count = reply_count
        # The level of the node printed after this one (0 after the last).
        self.next_level = next_level

    def __repr__(self) -> str:
        return f"<CommentNode {self.id} level {self.level} {self.state}>"

    @property
    def id(self) -> int:
        return self.row[ID]

    @property
    def parent_id(self) -> int | None:
        return self.row[PARENT_ID]

    @property
    def author_id(self) -> int | None:
        return self.row[AUTHOR_ID]

    @property
    def is_root(self) -> bool:
        return self.level == 0

    @property
    def display_name(self) -> str:
        return "" if self.placeholder else row_display_name(self.row)

    @property
    def body_html(self) -> str:
        # Sanitized on write (comments/sanitize.py): the one field marked safe.
        return "" if self.placeholder else mark_safe(self.row[BODY_HTML])

    @property
    def created_iso(self) -> str:
        return self.row[CREATED_AT].isoformat()

    @property
    def created_human(self) -> str:
        return human_date(self.row[CREATED_AT], timezone.get_current_timezone())

    @property
    def edited(self) -> bool:
        return self.row[EDITED_AT] is not None and not self.placeholder

    @property
    def edited_label(self) -> str:
        return "edited by a moderator" if self.row[EDITED_BY_MODERATOR] else "edited"

    @property
    def like_count(self) -> int:
        return 0 if self.placeholder else self.row[LIKE_COUNT]

    @property
    def like_label(self) -> str:
        return like_label(self.like_count)

    @property
    def anchor(self) -> str:
        return f"comment-{self.row[ID]}"

    @property
    def reply_url(self) -> str:
        return _url("reply", self.row[ID])

    @property
    def flag_url(self) -> str:
        return _url("flag", self.row[ID])

    @property
    def history_url(self) -> str:
        return _url("history", self.row[ID]) if self.row[EDITED_AT] else ""

    @property
    def continue_url(self) -> str:
        return _url("detail", self.row[ID]) if self.has_more else ""

    @property
    def opens(self) -> bool:
        """The next node is this one's first reply: its <li> stays open and a list starts."""
        return self.next_level > self.level

    @property
    def closes(self) -> list[bool]:
        """One entry per list that ends after this node, True where that list is
        a top-level thread's replies (inside <details>)."""
        if self.opens:
            return []
        return [level == 0 for level in range(self.level - 1, self.next_level - 1, -1)]

    @property
    def meta(self) -> tuple:
        """Enough of the row to rebuild a Comment for permission checks later."""
        return self.row[:META_LENGTH]


def row_state(row: tuple, *, reader: Reader) -> tuple[str, str, str]:
    """(state, placeholder, notice) of a comment row for this reader.

    A placeholder replaces the author and body of a comment the reader may
    not read (`comments.visibility`); a notice is shown next to one they may
    read but others may not (their own held comment, or any hidden comment
    for moderators).
    """
    if row[DELETED_AT] is not None:
        return "deleted", DELETED_TEXT, ""
    status = row[STATUS]
    if status == PUBLISHED:
        return SHOWN
    held = status in _HELD
    if not may_read(status=status, deleted_at=None, author_id=row[AUTHOR_ID], reader=reader):
        # Held as spam looks the same as pending to everyone: never tell a spammer.
        return ("pending", UNAVAILABLE_TEXT, "") if held else (status, REMOVED_TEXT, "")
    if reader.is_moderator and status != Comment.Status.PENDING:
        label = Comment.Status(status).label.lower()
        return status, "", f"Hidden from readers ({label})."
    return "pending", "", HELD_NOTICE


def context_nodes(rows: list[tuple], *, user) -> list[CommentNode]:
    """A parent chain printed flat for context; hidden comments as placeholders."""
    reader = reader_of(user)
    return [CommentNode(row, 0, *row_state(row, reader=reader)) for row in rows]


def build_nodes(rows: list[tuple], *, user, base_level: int) -> list[CommentNode]:
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
    ids = {row[ID] for row in rows}
    for index in range(count - 1, -1, -1):
        row = rows[index]
        if row[DELETED_AT] is None and row[STATUS] == PUBLISHED:
            state = SHOWN
        else:
            state = row_state(row, reader=reader)
        below = shown_below.get(row[ID], 0)
        if not state[1] or below or (row[LEVEL] == last_level and row[RGHT] - row[LFT] > 1):
            states[index] = state
            parent_id = row[PARENT_ID]
            if parent_id in ids:
                shown_below[parent_id] = shown_below.get(parent_id, 0) + 1 + below

    nodes: list[CommentNode] = []
    append = nodes.append
    previous = None
    for row, state in zip(rows, states, strict=True):
        if state is None:
            continue
        level = row[LEVEL]
        node = CommentNode(
            row,
            level - base_level,
            state[0],
            state[1],
            state[2],
            level == last_level and row[RGHT] - row[LFT] > 1,
            shown_below.get(row[ID], 0),
        )
        if previous is not None:
            previous.next_level = node.level
        append(node)
        previous = node
    return nodes
