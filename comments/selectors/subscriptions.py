"""A reader's reply-email subscriptions: their comments with notify_replies on."""

from __future__ import annotations

import html
from datetime import datetime
from typing import NamedTuple

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from articles.models import Article
from comments.models import Comment
from comments.visibility import readable, reader_of

EXCERPT_WORDS = 25


class ReplyEmailSubscription(NamedTuple):
    """One row of the reader's reply-email list, with everything it shows."""

    comment_id: int
    comment_url: str
    created_at: datetime
    excerpt: str
    story_title: str
    story_url: str
    held: bool


def reply_email_subscriptions(*, user) -> QuerySet[Comment]:
    """`user`'s comments that email them about replies, newest first.

    Only comments the reader may still read (not deleted; their own held
    ones included) under published stories: a reply can reach no other.
    The story is joined and the columns cut to what the list shows, so a
    page of it is one query whatever its length.
    """
    return (
        Comment.objects.filter(
            readable(reader_of(user)),
            author_id=user.pk,
            notify_replies=True,
            article__status=Article.Status.PUBLISHED,
            article__published_at__lte=timezone.now(),
        )
        .select_related("article")
        .only(
            "id",
            "body_html",
            "created_at",
            "status",
            "article",
            "article__title",
            "article__slug",
            "article__published_at",
        )
        .order_by("-created_at", "-id")
    )


def subscription_rows(comments) -> list[ReplyEmailSubscription]:
    """The list's rows for a page of `reply_email_subscriptions`."""
    return [
        ReplyEmailSubscription(
            comment_id=comment.pk,
            comment_url=comment.get_absolute_url(),
            created_at=comment.created_at,
            excerpt=Truncator(" ".join(html.unescape(strip_tags(comment.body_html)).split())).words(
                EXCERPT_WORDS, truncate="…"
            ),
            story_title=comment.article.title,
            story_url=comment.article.get_absolute_url(),
            held=comment.status in Comment.HELD_STATUSES,
        )
        for comment in comments
    ]
