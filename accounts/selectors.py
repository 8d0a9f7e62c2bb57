"""Reads for the accounts pages."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.visibility import EVERYONE, readable


def profile_user_get(*, username: str):
    """The active user called `username`, or 404.

    Deactivated accounts (banned readers, closed accounts) have no public page.
    """
    return get_object_or_404(get_user_model(), username=username, is_active=True)


def profile_comment_list(*, user) -> QuerySet[Comment]:
    """The comments a profile page lists, newest first, in one query per page.

    Only what every reader may see: published, not deleted by the author, and
    under a story that is itself published (a draft's title must not leak
    through a commenter's page). The story is joined so each row can show
    its title and link without a query of its own, and the columns are cut
    to what the page shows.
    """
    return (
        Comment.objects.filter(
            readable(EVERYONE),
            author=user,
            article__status=Article.Status.PUBLISHED,
            article__published_at__lte=timezone.now(),
        )
        .select_related("article")
        .only(
            "id",
            "body_html",
            "created_at",
            "article",
            "article__title",
            "article__slug",
            "article__published_at",
        )
        .order_by("-created_at", "-id")
    )
