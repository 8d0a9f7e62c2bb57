"""RSS and Atom feeds of the conversation: one story's latest comments, and
the latest comments on the whole site.

Only what any guest may read (`comments.visibility`), on stories readers
may see. Not cached: each feed is two queries at most (the story, then its
comments with their authors), whatever the size of the thread.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article
from comments.models import Comment
from comments.visibility import EVERYONE, readable

# What a feed item needs of its story; its text stays in the database.
_STORY_FIELDS_UNREAD = ("article__body", "article__body_html", "article__search_vector")


def _readable_comments():
    return (
        Comment.objects.filter(readable(EVERYONE))
        .select_related("author")
        .defer("search_vector")
        .order_by("-created_at", "-id")
    )


class LatestCommentsFeed(Feed):
    """The newest comments on every story, as RSS 2.0."""

    def title(self):
        return f"{settings.SITE_NAME}: latest comments"

    def description(self):
        return f"The latest comments on {settings.SITE_NAME}."

    def link(self):
        return reverse("articles:index")

    def items(self):
        return (
            _readable_comments()
            .filter(article__in=Article.objects.live().values("pk"))
            .select_related("article")
            .defer(*_STORY_FIELDS_UNREAD)[: settings.NEWSROOM_FEED_ITEMS]
        )

    def item_title(self, item):
        return f"{item.display_name} on “{item.article.title}”"

    def item_description(self, item):
        # Sanitized when it was written; the feed escapes it as text.
        return item.body_html

    def item_link(self, item):
        return reverse("comments:go", kwargs={"pk": item.pk})

    def item_author_name(self, item):
        return item.display_name

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.edited_at or item.created_at


class LatestCommentsAtomFeed(LatestCommentsFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()


class StoryCommentsFeed(LatestCommentsFeed):
    """The newest comments on one story, as RSS 2.0."""

    def get_object(self, request, article_id):
        return get_object_or_404(Article.objects.live(), pk=article_id)

    def title(self, article):
        return f"Comments on “{article.title}”"

    def description(self, article):
        return f"The latest comments on “{article.title}” on {settings.SITE_NAME}."

    def link(self, article):
        return f"{article.get_absolute_url()}#comments"

    def items(self, article):
        limit = settings.NEWSROOM_FEED_ITEMS
        comments = list(_readable_comments().filter(article=article)[:limit])
        for comment in comments:
            comment.article = article  # the feed's own story: no query per item
        return comments


class StoryCommentsAtomFeed(StoryCommentsFeed):
    feed_type = Atom1Feed

    def subtitle(self, article):
        return self.description(article)
