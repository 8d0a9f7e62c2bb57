"""A story's editors' picks: the comments moderators featured
(`comments.services.comment_feature`), each with the comment it answers.

Only what any guest may read (`comments.visibility`): a featured comment a
moderator later removed or held, or its author deleted, is not listed.
"""

from __future__ import annotations

from datetime import datetime
from html import unescape
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.utils.html import strip_tags
from django.utils.text import Truncator

from comments.models import Comment
from comments.visibility import EVERYONE, may_read, readable

FEATURED_PER_PAGE = 20
PARENT_EXCERPT_WORDS = 30
PARENT_UNAVAILABLE = "A comment that is no longer shown."


class FeaturedComment(NamedTuple):
    """One editors' pick as the featured page prints it."""

    id: int
    author: str
    author_username: str | None  # links to the author's profile when they have an account
    created_at: datetime
    featured_at: datetime
    body_html: str
    parent_id: int | None
    parent_author: str  # "" for a top-level comment
    parent_excerpt: str  # plain text, or PARENT_UNAVAILABLE when readers may not read it


def featured_comments(*, article, page=1) -> Page:
    """One page of `article`'s featured comments every reader may read,
    most recently featured first, as FeaturedComment rows.

    Two queries whatever the page holds: the count, then the page's
    comments with their authors and parents.
    """
    queryset = (
        Comment.objects.filter(readable(EVERYONE), article=article, featured_at__isnull=False)
        .select_related("author", "parent", "parent__author")
        .only(
            "id", "author_name", "author__username", "created_at", "featured_at", "body_html",
            "parent__id", "parent__author_name", "parent__author__username", "parent__body_html",
            "parent__status", "parent__deleted_at", "parent__author_id",
        )  # fmt: skip
        .order_by("-featured_at", "-id")
    )
    found = Paginator(queryset, FEATURED_PER_PAGE).get_page(page)
    found.object_list = [_row(comment) for comment in found.object_list]
    return found


def _row(comment: Comment) -> FeaturedComment:
    parent = comment.parent
    author, excerpt = "", ""
    if parent is not None:
        if may_read(
            status=parent.status,
            deleted_at=parent.deleted_at,
            author_id=parent.author_id,
            reader=EVERYONE,
        ):
            author = parent.display_name
            text = unescape(strip_tags(parent.body_html))
            excerpt = Truncator(" ".join(text.split())).words(PARENT_EXCERPT_WORDS)
        else:
            excerpt = PARENT_UNAVAILABLE
    return FeaturedComment(
        id=comment.pk,
        author=comment.display_name,
        author_username=comment.author.get_username() if comment.author_id else None,
        created_at=comment.created_at,
        featured_at=comment.featured_at,
        body_html=comment.body_html,
        parent_id=comment.parent_id,
        parent_author=author,
        parent_excerpt=excerpt,
    )
