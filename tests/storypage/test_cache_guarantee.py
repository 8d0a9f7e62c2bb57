"""What the caches guarantee (README, "What the caches guarantee").

Each test reproduces one way a cached story page used to outlive the write
that made it wrong, and checks what a reader gets now.
"""

import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from comments.models import Comment
from comments.services import comment_create, comment_moderate
from storypage import versions, views
from storypage.models import PageVersion
from storypage.section import ReaderState
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

_WRITES = ("set", "set_many", "add", "delete", "delete_many", "touch", "incr")


def _cache_refuses_writes(monkeypatch):
    """Every cache write fails, as Redis refuses writes during a failover;
    reads still answer. Returns a function that ends the fault."""
    cache = caches["default"]

    def refuse(*args, **kwargs):
        raise ConnectionError("READONLY You can't write against a read only replica.")

    for name in _WRITES:
        monkeypatch.setattr(cache, name, refuse)
    return monkeypatch.undo


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def doxxing_comment(article):
    author = UserFactory(username="troll")
    return comment_create(
        article=article, author=author, body="Call Jane on 555-0199, she lives at 4 Elm St"
    )


def test_a_comment_removed_while_the_cache_refuses_writes_is_not_served_again(
    client, article, doxxing_comment, monkeypatch, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    reader = _signed_in(UserFactory(username="ann"))
    assertContains(client.get(url), "555-0199")  # the guests' page, now stored
    assertContains(reader.get(url), "555-0199")  # the signed-in readers' page, now stored

    moderator = StaffFactory()
    recover = _cache_refuses_writes(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comments=[doxxing_comment], moderator=moderator, action="remove")
    recover()  # Redis is back, with the pages stored before the removal

    assertNotContains(client.get(url), "555-0199")
    assertNotContains(reader.get(url), "555-0199")
    assertNotContains(_signed_in(UserFactory(username="bob")).get(url), "555-0199")


def test_a_story_set_back_to_draft_while_the_cache_refuses_writes_is_gone(
    client, article, monkeypatch, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200

    recover = _cache_refuses_writes(monkeypatch)
    article.status = Article.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    recover()

    assert client.get(url).status_code == 404


def test_a_story_edited_while_the_cache_is_down_shows_the_edit(client, article, monkeypatch):
    url = article.get_absolute_url()
    client.get(url)
    cache = caches["default"]

    def down(*args, **kwargs):
        raise TimeoutError("Redis did not answer")

    for name in ("get", "get_many", *_WRITES):
        monkeypatch.setattr(cache, name, down)
    Article.objects.filter(pk=article.pk).update(title="Corrected headline")
    Article.objects.get(pk=article.pk).save()
    assertContains(client.get(url), "Corrected headline")  # rendered without the cache
    monkeypatch.undo()

    assertContains(client.get(url), "Corrected headline")


def test_a_readers_held_comment_never_reaches_the_page_shared_by_readers(
    article, monkeypatch
):
    ann = UserFactory(username="ann")
    held = comment_create(article=article, author=ann, body="Buy cheap pills here")
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PENDING)
    # Ann's state was read before her held comment committed (the race):
    # her page is rendered as if she had nothing held, and shared.
    monkeypatch.setattr(views, "reader_state", lambda **kwargs: ReaderState())
    _signed_in(ann).get(article.get_absolute_url())
    monkeypatch.undo()

    bob_page = _signed_in(UserFactory(username="bob")).get(article.get_absolute_url())

    assertNotContains(bob_page, "Buy cheap pills")
    assertNotContains(bob_page, "Awaiting moderation")
    # Ann herself still sees it on her own page.
    assertContains(_signed_in(ann).get(article.get_absolute_url()), "Buy cheap pills")


def test_unknown_query_parameters_make_no_new_cached_page(
    client, article, monkeypatch, django_assert_num_queries
):
    url = article.get_absolute_url()
    first = client.get(url)
    stored: list[str] = []
    cache = caches["default"]
    for name in ("set", "set_many"):
        original = getattr(cache, name)

        def counting(*args, _original=original, _name=name, **kwargs):
            stored.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(cache, name, counting)

    for n in range(5):
        with django_assert_num_queries(0):
            response = client.get(f"{url}?junk={n}&utm_source=feed")
        assert response.content == first.content

    assert stored == []
    assertNotContains(first, "junk")


def test_the_log_in_link_names_the_page_not_the_request(client, article):
    response = client.get(f"{article.get_absolute_url()}?junk=1&sort=newest")

    back = urlencode({"next": f"{article.get_absolute_url()}?sort=newest"})
    assertContains(response, f'href="{reverse("account_login")}?{back}"')
    assertNotContains(response, "junk")


def test_a_thread_page_past_the_end_is_not_stored(client, article, monkeypatch):
    comment_create(article=article, author=UserFactory(), body="Only thread")
    url = article.get_absolute_url()
    stored: list[str] = []
    cache = caches["default"]
    original = cache.set_many
    monkeypatch.setattr(
        cache, "set_many", lambda data, *a, **k: (stored.extend(data), original(data, *a, **k))[1]
    )

    for page in (7, 8, 9):
        assertContains(client.get(f"{url}?cpage={page}"), "Only thread")

    assert not [key for key in stored if "story-page" in key]


def test_a_renamed_commenter_shows_under_the_new_name(
    client, article, django_capture_on_commit_callbacks
):
    author = UserFactory(username="oldname")
    comment_create(article=article, author=author, body="Interesting")
    url = article.get_absolute_url()
    reader = _signed_in(UserFactory(username="ann"))
    assertContains(client.get(url), "oldname")
    assertContains(reader.get(url), "oldname")

    author.username = "newname"
    with django_capture_on_commit_callbacks(execute=True):
        author.save()

    for page in (client.get(url), reader.get(url)):
        assertContains(page, "newname")
        assertNotContains(page, "oldname")


def test_a_deleted_commenter_is_no_longer_named(
    client, article, django_capture_on_commit_callbacks
):
    author = UserFactory(username="leaving_reader")
    comment_create(article=article, author=author, body="Goodbye")
    url = article.get_absolute_url()
    assertContains(client.get(url), "leaving_reader")

    with django_capture_on_commit_callbacks(execute=True):
        author.delete()

    page = client.get(url)
    assertContains(page, "Goodbye")
    assertNotContains(page, "leaving_reader")


def test_a_signed_in_writer_sees_their_comment_at_once_even_within_the_bound(
    article, settings
):
    settings.NEWSROOM_STALE_BOUND_SECONDS = 3600  # guests may lag; the writer never
    writer = _signed_in(UserFactory(username="ann"))
    url = article.get_absolute_url()
    writer.get(url)

    writer.post(reverse("comments:post", kwargs={"article_id": article.pk}), {"body": "Mine"})

    assertContains(writer.get(url), "Mine")


def test_stories_made_in_one_place_are_untouched_by_other_stories_writes(client):
    quiet, busy = ArticleFactory(), ArticleFactory()
    client.get(quiet.get_absolute_url())
    comment_create(article=busy, author=UserFactory(), body="Elsewhere")

    # The quiet story's stored page is still current: served without a query.
    with CaptureQueriesContext(connection) as queries:
        client.get(quiet.get_absolute_url())
    assert len(queries) == 0


def test_a_worker_serves_a_page_for_at_most_the_bound_after_it_asked_for_its_versions(
    client, article, monkeypatch
):
    now = [100.0]
    monkeypatch.setattr("storypage.versions.time.monotonic", lambda: now[0])
    read_with_story = versions.of

    def slow_render(article, **kwargs):
        now[0] += 0.5  # the page takes half a second after its story was read
        return read_with_story(article, **kwargs)

    monkeypatch.setattr(versions, "of", slow_render)
    url = article.get_absolute_url()
    client.get(url)  # stored; its versions asked for at 100.0
    # Another app server changes the story; this process is not told.
    Article.objects.filter(pk=article.pk).update(title="Changed elsewhere")
    PageVersion.objects.filter(scope=versions.STORIES).update(token=uuid.uuid4())

    now[0] = 101.01  # the bound (1 s) after the versions were asked for
    assertContains(client.get(url), "Changed elsewhere")
