"""How much conversation there is under stories: counts for lists of
stories, and the stories most discussed lately. Both count only what any
guest may read (`comments.visibility`), on stories readers may see."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.visibility import EVERYONE, readable


def comment_counts(*, article_ids) -> dict[int, int]:
    """{article id: comments any guest may read} for `article_ids`, in one
    query; a story with none is missing from the result."""
    ids = list(article_ids)
    if not ids:
        return {}
    rows = (
        Comment.objects.filter(readable(EVERYONE), article_id__in=ids)
        .order_by()
        .values("article_id")
        .annotate(n=Count("id"))
        .values_list("article_id", "n")
    )
    return dict(rows)


class DiscussedStory(NamedTuple):
    title: str
    url: str
    new_comments: int


def most_discussed(*, days: int = 7, limit: int = 5) -> list[DiscussedStory]:
    """The stories with the most new comments (any guest may read) in the
    last `days` days, most first, at most `limit`: one query."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        Comment.objects.filter(readable(EVERYONE), created_at__gte=since)
        .filter(article__in=Article.objects.live().values("pk"))
        .order_by()
        .values("article_id", "article__title", "article__slug", "article__published_at")
        .annotate(n=Count("id"))
        .order_by("-n", "-article__published_at", "-article_id")[:limit]
    )
    return [
        DiscussedStory(
            title=row["article__title"],
            url=Article(
                pk=row["article_id"],
                slug=row["article__slug"],
                published_at=row["article__published_at"],
            ).get_absolute_url(),
            new_comments=row["n"],
        )
        for row in rows
    ]


class ConversationStatus(NamedTuple):
    """What the live notice compares with the page a reader has open."""

    count: int  # comments any guest may read
    latest_id: int | None  # the newest of them


def conversation_status(*, article_id: int) -> ConversationStatus | None:
    """The story's count of comments any guest may read and the newest of
    them, or None if readers cannot see the story: one query."""
    public = Comment.objects.filter(readable(EVERYONE), article_id=OuterRef("pk")).order_by()
    row = (
        Article.objects.live()
        .filter(pk=article_id)
        .annotate(
            count=Coalesce(
                Subquery(
                    public.values("article_id").annotate(n=Count("id")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            latest=Subquery(public.order_by("-created_at", "-id").values("id")[:1]),
        )
        .values_list("count", "latest")
        .first()
    )
    return None if row is None else ConversationStatus(*row)
