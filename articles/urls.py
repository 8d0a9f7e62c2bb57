from django.urls import path, register_converter

from articles import feeds, views

app_name = "articles"


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigitConverter:
    """Month or day as two digits: /2021/06/18/, and reverse() pads 6 to 06."""

    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(YearConverter, "yyyy")
register_converter(TwoDigitConverter, "mm")
register_converter(TwoDigitConverter, "dd")

# The front page, search, tag, source and date-archive lists show each
# story's conversation too, so they are routed in `storypage.urls`, whose
# views extend this app's.
urlpatterns = [
    path("archive/", views.ArticleArchiveView.as_view(), name="archive"),
    path("feeds/rss/", feeds.LatestArticlesFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("tags/<slug:slug>/feed/rss/", feeds.TagArticlesFeed(), name="tag-feed-rss"),
    path("tags/<slug:slug>/feed/atom/", feeds.TagArticlesAtomFeed(), name="tag-feed-atom"),
]
