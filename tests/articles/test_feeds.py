"""Feeds, sitemap.xml and robots.txt: what machines read, only published stories."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, SourceFactory, TagFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def korea():
    return TagFactory(name="North Korea", slug="north-korea")


@pytest.fixture
def stories(korea, bbc):
    economy = TagFactory(name="Economy", slug="economy")
    return {
        "kim": ArticleFactory(
            title="Kim prepares for dialogue",
            standfirst="The leader speaks.",
            byline="BBC News",
            source=bbc,
            published_at=datetime(2021, 6, 18, 9, tzinfo=UTC),
            tags=[korea, economy],
        ),
        "markets": ArticleFactory(title="Markets rally", tags=[economy]),
        "draft": ArticleFactory(
            title="Draft about Korea", status=Article.Status.DRAFT, tags=[korea]
        ),
        "scheduled": ArticleFactory(
            title="Scheduled about Korea",
            published_at=timezone.now() + timedelta(days=1),
            tags=[korea],
        ),
    }


def _feed(client, name, **kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


@pytest.mark.parametrize(
    ("name", "version"), [("articles:feed-rss", "rss20"), ("articles:feed-atom", "atom10")]
)
def test_site_feed_has_exactly_the_published_stories(client, stories, name, version):
    feed = _feed(client, name)

    assert feed.version == version
    assert feed.feed.title == "Newsroom"
    assert [entry.title for entry in feed.entries] == ["Markets rally", "Kim prepares for dialogue"]


@pytest.mark.parametrize("name", ["articles:feed-rss", "articles:feed-atom"])
def test_feed_item_fields(client, stories, name):
    kim = _feed(client, name).entries[1]

    # Feeds and the sitemap take their domain from the sites framework.
    assert kim.link == "http://example.com/2021/06/18/" + stories["kim"].slug + "/"
    assert kim.summary == "The leader speaks."
    assert kim.author == "BBC News"
    assert kim.published_parsed[:5] == (2021, 6, 18, 9, 0)
    assert sorted(tag.term for tag in kim.tags) == ["Economy", "North Korea"]


def test_feed_length_follows_settings(client, settings):
    settings.NEWSROOM_FEED_ITEMS = 3
    ArticleFactory.create_batch(5)

    assert len(_feed(client, "articles:feed-rss").entries) == 3


@pytest.mark.parametrize("name", ["articles:tag-feed-rss", "articles:tag-feed-atom"])
def test_tag_feed_has_exactly_that_tags_published_stories(client, stories, name):
    feed = _feed(client, name, slug="north-korea")

    assert feed.feed.title == "Newsroom: North Korea"
    assert [entry.title for entry in feed.entries] == ["Kim prepares for dialogue"]


@pytest.mark.parametrize("name", ["articles:tag-feed-rss", "articles:tag-feed-atom"])
def test_feed_of_unknown_tag_is_not_found(client, name):
    assert client.get(reverse(name, kwargs={"slug": "nope"})).status_code == 404


def test_sitemap_lists_exactly_the_published_stories_and_their_listings(client, stories):
    SourceFactory(name="Idle source", slug="idle")  # no stories: not worth a sitemap entry
    TagFactory(name="Only drafts", slug="only-drafts")
    stories["draft"].tags.add(TagFactory(slug="only-drafts"))

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    locs = {
        url.findtext("sm:loc", namespaces=SITEMAP_NS): url.findtext(
            "sm:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("sm:url", SITEMAP_NS)
    }
    base = "http://example.com"
    assert set(locs) == {
        base + stories["kim"].get_absolute_url(),
        base + stories["markets"].get_absolute_url(),
        base + "/tags/north-korea/",
        base + "/tags/economy/",
        base + "/sources/bbc/",
    }
    assert locs[base + stories["markets"].get_absolute_url()]


def test_robots_txt(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Disallow: /accounts/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
