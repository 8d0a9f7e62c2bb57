"""Reads for the moderation queue: what waits for a decision, and how much."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Q

from comments.models import Ban, Comment, Flag, ModerationAction

Status = Comment.Status


def reported() -> Q:
    """Comments with reports no moderator has decided on yet."""
    return Q(open_reports__gt=0, status__in=[Status.PUBLISHED, Status.PENDING])


def waiting() -> Q:
    """Comments that need a moderator's decision: held ones and reported ones.

    A comment its author deleted needs no decision: its words are gone.
    """
    return (Q(status=Status.PENDING) | reported()) & Q(deleted_at__isnull=True)


class QueueCounts(NamedTuple):
    pending: int
    reported: int

    def __str__(self) -> str:
        return f"{self.pending} pending, {self.reported} reported"


def queue_counts() -> QueueCounts:
    """How many comments are held and how many reported, for the admin menu
    and the queue: two counts, each read from an index of its own."""
    alive = Q(deleted_at__isnull=True)
    return QueueCounts(
        pending=Comment.objects.filter(alive, status=Status.PENDING).count(),
        reported=Comment.objects.filter(alive, reported()).count(),
    )


@dataclass(frozen=True)
class AuthorHistory:
    """One reader's record, for moderators: every comment (any status), the
    decisions and notes on them, the reports against them, and bans."""

    comment_count: int
    comments: list[Comment]
    decisions: list[ModerationAction]
    reports: list[Flag]
    bans: list[ModerationAction]
    ban: Ban | None


HISTORY_ROWS = 100


def author_history(*, user, limit: int = HISTORY_ROWS) -> AuthorHistory:
    """`user`'s record, newest first, at most `limit` rows of each kind, in
    six queries however long it is."""
    comments = Comment.objects.filter(author=user)
    return AuthorHistory(
        comment_count=comments.count(),
        comments=list(comments.select_related("article").order_by("-created_at", "-pk")[:limit]),
        decisions=list(
            ModerationAction.objects.filter(comment__author=user)
            .select_related("moderator")
            .order_by("-created_at", "-pk")[:limit]
        ),
        reports=list(
            Flag.objects.filter(comment__author=user)
            .select_related("user")
            .order_by("-created_at", "-pk")[:limit]
        ),
        bans=list(
            ModerationAction.objects.filter(reader=user)
            .select_related("moderator")
            .order_by("-created_at", "-pk")[:limit]
        ),
        ban=Ban.objects.filter(user=user).select_related("created_by").first(),
    )
