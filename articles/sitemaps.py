"""sitemap.xml: every published story, and the tag and source pages that list them."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef

from articles.models import Article, Source, Tag


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Article.objects.published().only("slug", "published_at", "updated_at")

    def lastmod(self, item):
        return max(item.updated_at, item.published_at)


def _with_published_articles(model):
    """Rows of `model` (Tag or Source) that list at least one published story."""
    published = Article.objects.published()
    if model is Tag:
        published = published.filter(tags=OuterRef("pk"))
    else:
        published = published.filter(source=OuterRef("pk"))
    return model.objects.filter(Exists(published))


class TagSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return _with_published_articles(Tag)


class SourceSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return _with_published_articles(Source)


sitemaps = {"articles": ArticleSitemap, "tags": TagSitemap, "sources": SourceSitemap}
