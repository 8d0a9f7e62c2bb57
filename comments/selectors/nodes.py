"""Comments turned into the flat, precomputed nodes the thread template prints.

Everything a comment needs on the page (display name, dates, permalink,
nesting markers, placeholder text) is computed here once, so the template
loop does no lookups, date formatting or URL reversing of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from comments.models import Comment

REMOVED_TEXT = "This comment was removed."
UNAVAILABLE_TEXT = "This comment is not available."
DELETED_TEXT = "[deleted]"


# The columns a node needs, read as plain tuples: building model instances
# (and their authors) for thousands of comments costs more than rendering them.
ROW_FIELDS = (
    "id", "parent_id", "article_id", "author_id", "author_name", "author__username",
    "body_html", "status", "created_at", "edited_at", "edited_by_moderator", "deleted_at",
    "like_count",
    "level", "lft", "rght", "tree_id",
)  # fmt: skip


@dataclass(slots=True)
class CommentRow:
    """The part of a Comment the thread shows, without a model instance."""

    pk: int
    parent_id: int | None
    article_id: int
    author_id: int | None
    author_name: str
    author_username: str | None
    body_html: str
    status: str
    created_at: object
    edited_at: object
    edited_by_moderator: bool
    deleted_at: object
    like_count: int
    level: int
    lft: int
    rght: int
    tree_id: int

    @property
    def display_name(self) -> str:
        if self.author_id is not None:
            return self.author_username
        return self.author_name or "Anonymous"

    def get_status_display(self) -> str:
        return Comment.Status(self.status).label


def comment_rows(queryset) -> list[CommentRow]:
    """The queryset's comments as rows, in its order (one query)."""
    return [CommentRow(*values) for values in queryset.values_list(*ROW_FIELDS)]


def like_label(count: int) -> str:
    """The sentence under a comment: nothing at 0, then person / people."""
    if count <= 0:
        return ""
    return "Liked by 1 person" if count == 1 else f"Liked by {count} people"


@dataclass(slots=True)
class CommentNode:
    """One comment as the thread template prints it; all values precomputed."""

    id: int
    parent_id: int | None
    level: int
    author_id: int | None
    display_name: str
    body_html: str
    created_iso: str
    created_human: str
    edited: bool
    edited_label: str
    like_count: int
    like_label: str
    # "published", "deleted", or a placeholder/notice state (see node_state).
    state: str
    placeholder: str = ""
    notice: str = ""
    anchor: str = ""
    reply_url: str = ""
    flag_url: str = ""
    history_url: str = ""
    continue_url: str = ""
    opens: bool = False
    closes: list[bool] = field(default_factory=list)
    reply_count: int = 0
    # Enough of the row to rebuild a Comment for permission checks later.
    meta: tuple = ()

    @property
    def is_root(self) -> bool:
        return self.level == 0

class CommentUrls:
    """Comment URLs reversed once per page, then filled in per comment."""

    _SENTINEL = 987654321

    def __init__(self):
        self._patterns = {
            name: reverse(f"comments:{name}", kwargs={"pk": self._SENTINEL})
            for name in ("detail", "reply", "flag", "history")
        }

    def get(self, name: str, pk: int) -> str:
        return self._patterns[name].replace(str(self._SENTINEL), str(pk))


def node_state(comment: Comment, user) -> tuple[str, str, str]:
    """(state, placeholder, notice) of a comment for this reader.

    A placeholder replaces the author and body; a notice is shown next to a
    comment the reader may still read in full (their own held comment, or any
    hidden comment for staff).
    """
    is_staff = user is not None and user.is_authenticated and user.is_staff
    is_author = (
        user is not None and user.is_authenticated and comment.author_id == user.pk
    )
    if comment.deleted_at is not None:
        return "deleted", DELETED_TEXT, ""
    status = comment.status
    if status == Comment.Status.PUBLISHED:
        return "published", "", ""
    held_notice = "Awaiting moderation — only you and the moderators can see it."
    if status == Comment.Status.PENDING and is_staff:
        return "pending", "", held_notice
    if status in Comment.HELD_STATUSES and not is_staff:
        # Held as spam looks the same to its author: never tell a spammer.
        return ("pending", "", held_notice) if is_author else ("pending", UNAVAILABLE_TEXT, "")
    if is_staff:
        return status, "", f"Hidden from readers ({comment.get_status_display().lower()})."
    return status, REMOVED_TEXT, ""


_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_date(moment, tz) -> str:
    """"28 Nov 2026, 14:05" in the site's time zone (strftime is slower, per comment)."""
    local = moment.astimezone(tz)
    return f"{local.day} {_MONTHS[local.month]} {local.year}, {local.hour:02d}:{local.minute:02d}"


def make_node(
    comment, state, *, urls, level, has_more=False, reply_count=0, tz=None
) -> CommentNode:
    state, placeholder, notice = state
    likes = comment.like_count if not placeholder else 0
    return CommentNode(
        id=comment.pk,
        parent_id=comment.parent_id,
        level=level,
        author_id=comment.author_id,
        display_name="" if placeholder else comment.display_name,
        # Sanitized on write (comments/sanitize.py): the one field marked safe.
        body_html=mark_safe(comment.body_html) if not placeholder else "",
        created_iso=comment.created_at.isoformat(),
        created_human=human_date(comment.created_at, tz or timezone.get_current_timezone()),
        edited=comment.edited_at is not None and not placeholder,
        edited_label="edited by a moderator" if comment.edited_by_moderator else "edited",
        like_count=likes,
        like_label=like_label(likes),
        state=state,
        placeholder=placeholder,
        notice=notice,
        anchor=f"comment-{comment.pk}",
        reply_url=urls.get("reply", comment.pk),
        flag_url=urls.get("flag", comment.pk),
        history_url=urls.get("history", comment.pk) if comment.edited_at else "",
        continue_url=urls.get("detail", comment.pk) if has_more else "",
        reply_count=reply_count,
        meta=(
            comment.pk,
            comment.author_id,
            comment.created_at,
            comment.status,
            comment.deleted_at,
            comment.edited_at,
            comment.level,
            comment.lft,
            comment.rght,
            comment.tree_id,
            comment.article_id,
        ),
    )


def build_nodes(comments: list[Comment], *, user, base_level: int) -> list[CommentNode]:
    """Turn comments in tree order into template-ready nodes.

    Placeholders stay in place while anything under them is readable; a
    subtree with nothing readable is dropped whole, so the nesting of what
    remains is still a valid tree. Comments at the last display level that
    have replies get a "Continue this thread" link instead of their replies.
    """
    if not comments:
        return []
    depth = settings.NEWSROOM_COMMENT_DISPLAY_DEPTH
    states = {c.pk: node_state(c, user) for c in comments}
    # Walk backwards so children are settled before their parents.
    keep: dict[int, bool] = {}
    shown_below: dict[int, int] = {}
    ids = {c.pk for c in comments}
    for comment in reversed(comments):
        relative = comment.level - base_level
        beyond = relative == depth - 1 and comment.rght - comment.lft > 1
        readable = not states[comment.pk][1]
        kept = readable or shown_below.get(comment.pk, 0) > 0 or beyond
        keep[comment.pk] = kept
        if kept and comment.parent_id in ids:
            shown_below[comment.parent_id] = (
                shown_below.get(comment.parent_id, 0) + 1 + shown_below.get(comment.pk, 0)
            )

    urls = CommentUrls()
    tz = timezone.get_current_timezone()
    nodes = [
        make_node(
            comment,
            states[comment.pk],
            urls=urls,
            level=comment.level - base_level,
            has_more=comment.level - base_level == depth - 1 and comment.rght - comment.lft > 1,
            reply_count=shown_below.get(comment.pk, 0),
            tz=tz,
        )
        for comment in comments
        if keep[comment.pk]
    ]
    _mark_nesting(nodes)
    return nodes


def _mark_nesting(nodes: list[CommentNode]) -> None:
    """Set how many lists open/close after each node for nested <ol>/<li> markup.

    `opens`: the next node is this one's first reply, so its <li> stays open
    and a list starts. `closes`: one entry per list that ends after this node,
    True where that list is a top-level thread's replies (inside <details>).
    """
    for index, node in enumerate(nodes):
        next_level = nodes[index + 1].level if index + 1 < len(nodes) else 0
        node.opens = next_level > node.level
        if not node.opens:
            node.closes = [level == 0 for level in range(node.level - 1, next_level - 1, -1)]
