"""Who may read a comment: the one rule every read of comments applies.

- Everyone (guests included) reads published comments their author has
  not deleted.
- A comment's author also reads their own held comments (pending, or held
  as spam: to its author spam looks the same as pending, so a spammer is
  never told).
- Moderators read every comment its author has not deleted. A moderator
  is what the admin's moderation actions require (`is_moderator`): an
  active staff account holding the `comments.change_comment` permission
  (the Editors group has it). `is_staff` alone makes nobody a moderator.

A comment a reader may not read keeps its place in its thread as a
placeholder (`comments.selectors.nodes`); counts, feeds, search and
profiles show only what everyone may read. The thread, permalink and
reply pages, counts and profiles all ask this module, in Python
(`may_read`) or as a filter (`readable`). The story page's held-comment
check runs in SQL, on every signed-in page: the reader query in
`storypage.section` takes `HELD_STATUSES` from here, and a test holds it
to `may_read`.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Q

from comments.models import Comment

PUBLISHED = Comment.Status.PUBLISHED.value
HELD_STATUSES = tuple(status.value for status in Comment.HELD_STATUSES)
_HELD = frozenset(HELD_STATUSES)


class Reader(NamedTuple):
    """Who is reading, as far as the rule cares."""

    is_moderator: bool
    user_id: int | None


EVERYONE = Reader(is_moderator=False, user_id=None)

# The permission the admin's moderation actions (approve, spam, remove, ban)
# require; acting as a moderator on the public site requires the same.
MODERATE_PERMISSION = "comments.change_comment"


def is_moderator(user) -> bool:
    """Whether `user` may act as a moderator on the public site: edit and
    remove others' comments, read held ones, ban their authors."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_staff  # before the rest: readers' pages never ask for permissions
        and user.is_active
        and user.has_perm(MODERATE_PERMISSION)
    )


def reader_of(user) -> Reader:
    """The rule's view of `user` (asked once per page, not per comment:
    request.user is a lazy object, slow to ask)."""
    if user is None or not user.is_authenticated:
        return EVERYONE
    return Reader(is_moderator=is_moderator(user), user_id=user.pk)


def may_read(*, status: str, deleted_at, author_id: int | None, reader: Reader) -> bool:
    """Whether `reader` may read a comment's text (not only its placeholder)."""
    if deleted_at is not None:
        return False
    if status == PUBLISHED or reader.is_moderator:
        return True
    return status in _HELD and reader.user_id is not None and author_id == reader.user_id


def may_read_comment(comment: Comment, user) -> bool:
    return may_read(
        status=comment.status,
        deleted_at=comment.deleted_at,
        author_id=comment.author_id,
        reader=reader_of(user),
    )


def readable(reader: Reader = EVERYONE, *, prefix: str = "") -> Q:
    """`may_read` as a filter on comments (`prefix` for a related lookup, "comment__")."""
    if reader.is_moderator:
        return Q(**{f"{prefix}deleted_at__isnull": True})
    q = Q(**{f"{prefix}status": PUBLISHED, f"{prefix}deleted_at__isnull": True})
    if reader.user_id is not None:
        q |= Q(
            **{
                f"{prefix}status__in": HELD_STATUSES,
                f"{prefix}deleted_at__isnull": True,
                f"{prefix}author_id": reader.user_id,
            }
        )
    return q
