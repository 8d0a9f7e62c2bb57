"""The sitemap: an index (`sitemap.xml`) of sections of at most 10,000 addresses
each (every published story, then the tag and source pages that list them).

Each section page is two queries (the count and the page's rows, read as
plain values) whatever the archive's size; story addresses are built from
one reversed URL rather than one `reverse()` per story.
"""

from collections.abc import Callable
from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Source, Tag

# Addresses per sitemap file. Search engines accept up to 50,000
# (sitemaps.org); sections of 10,000 keep each one's build well under a
# second on a 100,000-story archive, for a few more entries in the index.
SECTION_LIMIT = 10_000


def story_path_builder() -> Callable[[datetime, str], str]:
    """A function (published_at, slug) -> the story's path, the same as
    `Article.get_absolute_url()`, reversing the URL pattern and reading the
    current time zone once (for the request it is built in)."""
    sample = reverse("articles:detail", kwargs={"year": 1, "month": 2, "day": 3, "slug": "s"})
    prefix, found, suffix = sample.rpartition("0001/02/03/s")
    if not found:  # an address layout this cannot fill in: reverse each one

        def reversed_path(published_at: datetime, slug: str) -> str:
            return Article(published_at=published_at, slug=slug).get_absolute_url()

        return reversed_path

    tz = timezone.get_current_timezone()

    def story_path(published_at: datetime, slug: str) -> str:
        local = published_at.astimezone(tz)
        return f"{prefix}{local.year:04d}/{local.month:02d}/{local.day:02d}/{slug}{suffix}"

    return story_path


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = SECTION_LIMIT

    def __init__(self):
        self._story_path = story_path_builder()

    def items(self):
        return (
            Article.objects.live()
            .annotate(modified=Greatest("updated_at", "published_at"))
            .order_by("-published_at", "-id")
            .values("slug", "published_at", "modified")
        )

    def location(self, item):
        return self._story_path(item["published_at"], item["slug"])

    def lastmod(self, item):
        return item["modified"]

    def get_latest_lastmod(self):
        """For the index: one aggregate, not a pass over every story (read
        from the end of the `article_modified` index)."""
        return Article.objects.live().aggregate(
            latest=Max(Greatest("updated_at", "published_at"))
        )["latest"]


def _with_published_articles(model):
    """Slugs of `model` (Tag or Source) rows that list at least one published story."""
    published = Article.objects.live()
    if model is Tag:
        published = published.filter(tags=OuterRef("pk"))
    else:
        published = published.filter(source=OuterRef("pk"))
    return model.objects.filter(Exists(published)).order_by("slug").values("slug")


class _ListingSitemap(Sitemap):
    changefreq = "daily"
    limit = SECTION_LIMIT
    model: type[Tag] | type[Source]
    url_name: str

    def __init__(self):
        prefix, found, suffix = reverse(self.url_name, kwargs={"slug": "s"}).rpartition("/s/")
        self._path = f"{prefix}/{{}}/{suffix}"

    def items(self):
        return _with_published_articles(self.model)

    def location(self, item):
        return self._path.format(item["slug"])


class TagSitemap(_ListingSitemap):
    model = Tag
    url_name = "articles:tag"


class SourceSitemap(_ListingSitemap):
    model = Source
    url_name = "articles:source"


sitemaps = {"articles": ArticleSitemap, "tags": TagSitemap, "sources": SourceSitemap}
