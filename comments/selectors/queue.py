"""Reads for the moderation queue: what waits for a decision, and how much."""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Q

from comments.models import Comment

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
