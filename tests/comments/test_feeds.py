"""Comment feeds: each story's latest comments and the site's, as RSS and
Atom, with only what any guest may read, advertised in the pages' heads."""

from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import BlockedPhrase, Comment
from comments.services import comment_create, comment_delete, comment_moderate
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _post(article, body, author=None):
    return comment_create(article=article, author=author or UserFactory(), body=body)


def _feed(client, name, **kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    return feedparser.parse(response.content)


@pytest.fixture
def conversation(user, staff):
    story = ArticleFactory(title="Harbour news")
    BlockedPhrase.objects.create(phrase="casino")
    first = _post(story, "First, **bold** words.", author=UserFactory(username="ann"))
    later = _post(story, "Second thoughts.", author=UserFactory(username="bob"))
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=1))
    first.refresh_from_db()
    _post(story, "Casino nights", author=user)  # held
    removed = _post(story, "Rude remark")
    comment_moderate(comments=[removed], moderator=staff, action="remove")
    deleted = _post(story, "Regretted remark", author=user)
    comment_delete(comment=deleted, actor=user)
    return {"story": story, "first": first, "later": later}


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_story_feed_has_the_latest_published_comments(client, conversation, kind):
    story = conversation["story"]

    feed = _feed(client, f"comments:story-feed-{kind}", article_id=story.pk)

    assert feed.feed.title == "Comments on “Harbour news”"
    assert [entry.author for entry in feed.entries] == ["bob", "ann"]
    assert [entry.title for entry in feed.entries] == [
        "bob on “Harbour news”",
        "ann on “Harbour news”",
    ]
    first = conversation["first"]
    entry = feed.entries[1]
    assert entry.link.endswith(reverse("comments:go", kwargs={"pk": first.pk}))
    assert entry.summary == first.body_html == "<p>First, **bold** words.</p>"
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    assert published[:5] == first.created_at.utctimetuple()[:5]
    text = str(feed)
    for hidden in ("Casino", "Rude remark", "Regretted"):
        assert hidden not in text


def test_story_feed_of_a_story_readers_cannot_see_is_not_found(client):
    draft = ArticleFactory(status="draft")
    scheduled = ArticleFactory(published_at=timezone.now() + timedelta(days=1))

    for story in (draft, scheduled):
        url = reverse("comments:story-feed-rss", kwargs={"article_id": story.pk})
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_site_feed_has_the_latest_comments_on_every_published_story(client, conversation, kind):
    other = ArticleFactory(title="Market day")
    _post(other, "Busy market.", author=UserFactory(username="cat"))
    pulled = ArticleFactory(title="Pulled story")
    _post(pulled, "On a story since unpublished.")
    pulled.status = pulled.Status.DRAFT
    pulled.save()

    feed = _feed(client, f"comments:feed-{kind}")

    assert [entry.title for entry in feed.entries] == [
        "cat on “Market day”",
        "bob on “Harbour news”",
        "ann on “Harbour news”",
    ]
    assert "since unpublished" not in str(feed)


@pytest.mark.parametrize("comments", [1, 25])
def test_feed_query_counts_do_not_grow_with_the_comments(
    client, django_assert_num_queries, comments
):
    story = ArticleFactory()
    for number in range(comments):
        _post(story, f"Remark {number}")
    site = reverse("comments:feed-rss")
    one_story = reverse("comments:story-feed-rss", kwargs={"article_id": story.pk})
    client.get(site)  # settle per-process state (the current Site)

    with django_assert_num_queries(1):  # the comments with their authors and stories
        client.get(site)
    with django_assert_num_queries(2):  # the story, then its comments with their authors
        client.get(one_story)


def test_story_page_advertises_its_comment_feeds(client, article):
    response = client.get(article.get_absolute_url())

    for kind, mime in (("rss", "application/rss+xml"), ("atom", "application/atom+xml")):
        url = reverse(f"comments:story-feed-{kind}", kwargs={"article_id": article.pk})
        assertContains(
            response,
            f'<link rel="alternate" type="{mime}" title="Comments on “{article.title}” '
            f'({kind.upper() if kind == "rss" else "Atom"})" href="{url}">',
            html=True,
        )


def test_a_preview_of_a_draft_advertises_no_comment_feed(client, staff):
    draft = ArticleFactory(status="draft")
    client.force_login(staff)

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 200
    assertNotContains(response, reverse("comments:story-feed-rss", kwargs={"article_id": draft.pk}))
