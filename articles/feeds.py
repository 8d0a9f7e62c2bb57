"""RSS and Atom feeds of published stories, site-wide and per tag."""

import copy

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed, add_domain
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure

from articles.models import Article, Tag


class LatestArticlesFeed(Feed):
    """The newest published stories, as RSS 2.0."""

    def __call__(self, request, *args, **kwargs):
        # One feed object serves every request (and thread): each request gets a
        # copy that knows it, to make the lead images' addresses absolute the
        # way Django makes the items' links absolute.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def title(self):
        return settings.SITE_NAME

    def description(self):
        return f"The latest stories on {settings.SITE_NAME}."

    def link(self):
        return reverse("articles:index")

    def articles(self):
        return Article.objects.published().for_listing()

    def items(self):
        return self.articles()[: settings.NEWSROOM_FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # The standfirst, else the start of the first paragraph: never empty.
        return item.summary

    def item_author_name(self, item):
        return item.byline or None

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)

    def item_enclosures(self, item):
        # RSS's <enclosure>, Atom's <link rel="enclosure">: the largest size.
        image = item.lead_image_shown
        if image is None:
            return []
        largest = image.largest
        return [
            Enclosure(
                url=add_domain(
                    get_current_site(self.request).domain, largest.url, self.request.is_secure()
                ),
                length=str(largest.bytes),
                mime_type=largest.content_type,
            )
        ]

    def item_categories(self, item):
        # Tags are prefetched by for_listing(), so this costs no query per item.
        return [tag.name for tag in item.tags.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()


class TagArticlesFeed(LatestArticlesFeed):
    """The newest published stories with one tag, as RSS 2.0."""

    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, tag):
        return f"{settings.SITE_NAME}: {tag.name}"

    def description(self, tag):
        return f"The latest stories tagged “{tag.name}” on {settings.SITE_NAME}."

    def link(self, tag):
        return tag.get_absolute_url()

    def items(self, tag):
        return self.articles().filter(tags=tag)[: settings.NEWSROOM_FEED_ITEMS]


class TagArticlesAtomFeed(TagArticlesFeed):
    feed_type = Atom1Feed

    def subtitle(self, tag):
        return self.description(tag)
