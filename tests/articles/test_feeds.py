"""Feeds, sitemap.xml and robots.txt: what machines read, only published stories."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.contrib.sitemaps import views as sitemap_views
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.sitemaps import SECTION_LIMIT, ArticleSitemap, SourceSitemap, TagSitemap, sitemaps
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


def _sitemap_index(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{{{SITEMAP_NS['sm']}}}sitemapindex"
    return [loc.text for loc in root.findall("sm:sitemap/sm:loc", SITEMAP_NS)]


def _sitemap_urls(client, url: str) -> dict[str, str]:
    """The addresses of one sitemap section, each with its lastmod."""
    response = client.get(url.removeprefix("http://example.com"))
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return {
        url.findtext("sm:loc", namespaces=SITEMAP_NS): url.findtext(
            "sm:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("sm:url", SITEMAP_NS)
    }


def test_sitemap_lists_exactly_the_published_stories_and_their_listings(client, stories):
    SourceFactory(name="Idle source", slug="idle")  # no stories: not worth a sitemap entry
    TagFactory(name="Only drafts", slug="only-drafts")
    stories["draft"].tags.add(TagFactory(slug="only-drafts"))

    sections = _sitemap_index(client)
    locs = {}
    for section in sections:
        locs.update(_sitemap_urls(client, section))

    base = "http://example.com"
    assert sections == [
        f"{base}/sitemap-articles.xml",
        f"{base}/sitemap-tags.xml",
        f"{base}/sitemap-sources.xml",
    ]
    assert set(locs) == {
        base + stories["kim"].get_absolute_url(),
        base + stories["markets"].get_absolute_url(),
        base + "/tags/north-korea/",
        base + "/tags/economy/",
        base + "/sources/bbc/",
    }
    assert locs[base + stories["markets"].get_absolute_url()]


def test_story_addresses_in_the_sitemap_follow_the_site_time_zone(client, settings):
    # 23:30 UTC on 31 December is already 1 January in Tokyo.
    settings.TIME_ZONE = "Asia/Tokyo"
    story = ArticleFactory(published_at=datetime(2021, 12, 31, 23, 30, tzinfo=UTC))

    locs = _sitemap_urls(client, "/sitemap-articles.xml")

    assert story.get_absolute_url().startswith("/2022/01/01/")
    assert list(locs) == ["http://example.com" + story.get_absolute_url()]


def test_sitemap_sections_are_split_at_their_limit(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    made = ArticleFactory.create_batch(5)

    sections = _sitemap_index(client)
    pages = [url for url in sections if "sitemap-articles.xml" in url]
    listed = [_sitemap_urls(client, url) for url in pages]

    assert pages == [
        "http://example.com/sitemap-articles.xml",
        "http://example.com/sitemap-articles.xml?p=2",
        "http://example.com/sitemap-articles.xml?p=3",
    ]
    assert [len(page) for page in listed] == [2, 2, 1]
    assert {loc for page in listed for loc in page} == {
        "http://example.com" + story.get_absolute_url() for story in made
    }
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404


def test_sections_hold_no_more_than_search_engines_accept():
    assert ArticleSitemap.limit == TagSitemap.limit == SourceSitemap.limit == SECTION_LIMIT
    assert SECTION_LIMIT <= 50_000


@pytest.mark.parametrize("stories_count", [3, 30])
def test_sitemap_query_counts_do_not_grow_with_the_archive(
    client, django_assert_num_queries, stories_count, korea, bbc
):
    for story in ArticleFactory.create_batch(stories_count, source=bbc):
        story.tags.add(korea)
    client.get("/sitemap.xml")  # the site row is cached after the first request

    # Index: each section's count, and the stories' latest change.
    with django_assert_num_queries(4):
        assert client.get("/sitemap.xml").status_code == 200
    # A section: its count and its page of rows.
    for section in ("articles", "tags", "sources"):
        with django_assert_num_queries(2):
            assert client.get(f"/sitemap-{section}.xml").status_code == 200


def test_robots_txt(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Disallow: /accounts/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


@pytest.mark.parametrize("section", ["articles", "tags", "sources"])
def test_a_sitemap_section_says_what_djangos_own_template_says(rf, settings, stories, section):
    # Late in the evening in UTC is already tomorrow in Tokyo: the days follow the site.
    settings.TIME_ZONE = "Asia/Tokyo"
    Article.objects.filter(pk=stories["kim"].pk).update(
        updated_at=datetime(2021, 12, 31, 23, 30, tzinfo=UTC)
    )
    request = rf.get(f"/sitemap-{section}.xml")

    ours = sitemap_views.sitemap(
        request, sitemaps=sitemaps, section=section, template_name="articles/sitemap.xml"
    )
    djangos = sitemap_views.sitemap(request, sitemaps=sitemaps, section=section)

    def entries(response):
        root = ElementTree.fromstring(response.render().content)
        return [
            [(child.tag, child.text) for child in url] for url in root.findall("sm:url", SITEMAP_NS)
        ]

    assert entries(ours) and entries(ours) == entries(djangos)
    assert ours.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
