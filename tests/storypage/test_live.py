"""The live notice's status endpoint: what it answers, from where, and for whom."""

import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from comments.services import comment_create, comment_delete, comment_moderate
from storypage import versions
from storypage.models import PageVersion
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def status_url(article) -> str:
    return reverse("storypage:status", kwargs={"article_id": article.pk})


def status(client, article) -> dict:
    response = client.get(status_url(article))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-cache"
    return response.json()


def live_attributes(response) -> dict[str, str]:
    """The comment section's data-live-* attributes, as the script reads them."""
    section = re.search(r'<section id="comments"[^>]*>', response.content.decode()).group(0)
    return dict(re.findall(r'data-live-(\w+)="([^"]*)"', section))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_names_what_the_status_answers_until_a_comment_is_published(
    client, article, settings
):
    settings.NEWSROOM_LIVE_POLL_SECONDS = 15
    comment_create(article=article, author=UserFactory(), body="First")
    page = live_attributes(client.get(article.get_absolute_url()))
    assert page["url"] == status_url(article)
    assert page["poll"] == "15"

    now = status(client, article)
    assert (now["version"], now["count"]) == (page["version"], 1)
    assert page["count"] == "1"

    newest = comment_create(article=article, author=UserFactory(), body="Second")

    now = status(client, article)
    assert now["version"] != page["version"]
    assert now["count"] == 2
    assert now["latest_url"] == reverse("comments:go", kwargs={"pk": newest.pk})


def test_every_reader_of_a_shared_rendering_gets_the_same_attributes(client, article):
    comment_create(article=article, author=UserFactory(), body="Hello")
    url = article.get_absolute_url()

    guest = live_attributes(client.get(url))
    reader = live_attributes(signed_in(UserFactory()).get(url))
    other = live_attributes(signed_in(UserFactory()).get(url))
    moderator = live_attributes(signed_in(StaffFactory()).get(url))

    assert guest == reader == other == moderator
    assert guest["version"]


@pytest.mark.parametrize("viewer", ["guest", "reader"])
def test_a_status_asked_again_makes_no_database_query(
    client, article, viewer, django_assert_num_queries
):
    comment_create(article=article, author=UserFactory(), body="Hello")
    asker = client if viewer == "guest" else signed_in(UserFactory())
    first = status(asker, article)

    with django_assert_num_queries(0):
        again = status(asker, article)

    assert again == first


def test_a_status_from_the_shared_cache_alone_makes_no_database_query(
    client, article, settings, django_assert_num_queries
):
    """With the process's own memory of statuses off, the shared cache answers."""
    settings.NEWSROOM_PAGE_MEMORY_BYTES = 0
    comment_create(article=article, author=UserFactory(), body="Hello")
    first = status(client, article)

    with django_assert_num_queries(0):
        assert status(client, article) == first


def test_held_removed_and_deleted_comments_are_never_announced(client, article):
    author = UserFactory()
    shown = comment_create(article=article, author=author, body="Shown")
    gone = comment_create(article=article, author=author, body="Gone")
    before = status(client, article)["count"]

    held = comment_create(article=article, author=UserFactory(), body="Held")
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PENDING)
    comment_moderate(comments=[shown], moderator=StaffFactory(), action="remove")
    comment_delete(comment=gone, actor=author)

    now = status(client, article)
    assert before == 2
    assert now["count"] == 0
    assert now["latest_url"] == ""


def test_a_story_readers_cannot_see_has_no_status_and_made_up_ids_leave_nothing_behind(client):
    draft = ArticleFactory(status="draft")
    rows = PageVersion.objects.count()

    assert client.get(status_url(draft)).status_code == 404
    missing = reverse("storypage:status", kwargs={"article_id": 999_999})
    assert client.get(missing).status_code == 404
    assert client.get(missing).status_code == 404

    assert PageVersion.objects.count() == rows


def test_a_story_unpublished_since_its_status_was_stored_is_gone(client, article):
    status(client, article)

    article.status = "draft"
    article.save()

    assert client.get(status_url(article)).status_code == 404


def test_a_write_elsewhere_is_answered_within_the_bound(client, article, monkeypatch):
    now = [100.0]
    monkeypatch.setattr("storypage.versions.time.monotonic", lambda: now[0])
    before = status(client, article)
    scope = versions.thread_scope(article.pk)
    # Another app server publishes a comment; this process is not told (it
    # still remembers the version it read at 100.0).
    comment_create(article=article, author=UserFactory(), body="Elsewhere")
    versions._seen[scope] = (before["version"], 100.0)

    now[0] = 100.5
    assert status(client, article)["count"] == 0  # within the bound: not asked again
    now[0] = 101.01  # the bound (1 s) after the versions were read
    assert status(client, article)["count"] == 1


def test_the_status_answers_while_the_cache_is_down(client, article, monkeypatch):
    comment_create(article=article, author=UserFactory(), body="Hello")
    cache = caches["default"]

    def down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to the cache")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)

    assert status(client, article)["count"] == 1
    comment_create(article=article, author=UserFactory(), body="Again")
    assert status(client, article)["count"] == 2
