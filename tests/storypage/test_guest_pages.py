"""Guests' story pages come from the shared cache, and are never stale or personal."""

import gzip

import pytest
from django.core.cache import cache
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from comments.services import comment_create
from storypage import fragments, versions
from storypage.section import GUEST_KIND, READER_KIND
from tests.factories import ArticleFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_guest_page_is_served_again_without_queries_and_marked_public(
    client, article, django_assert_num_queries
):
    url = article.get_absolute_url()
    first = client.get(url)

    with django_assert_num_queries(0):
        again = client.get(url)

    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert "public" in again["Cache-Control"] and "max-age=60" in again["Cache-Control"]
    assert "Cookie" in again["Vary"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # Served early, but with every security header of a normal page.
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert again[header] == first[header]
    assert not again.cookies


def test_browsers_that_accept_gzip_get_the_cached_page_compressed(client, article):
    url = article.get_absolute_url()
    plain = client.get(url)

    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content) / 2
    assert compressed["ETag"] != plain["ETag"]  # another representation, another tag
    assert "Accept-Encoding" in compressed["Vary"] and "Accept-Encoding" in plain["Vary"]
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=compressed["ETag"])
    assert again.status_code == 304
    assert not client.get(url).has_header("Content-Encoding")


def test_a_new_comment_shows_to_guests_on_the_very_next_request(
    client, article, user, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(article=article, author=user, body="Fresh off the press")

    assertContains(client.get(url), "Fresh off the press")


def test_an_editors_change_shows_to_guests_at_once(
    client, article, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "A corrected headline"
        article.save()
        article.tags.add(TagFactory(name="Diplomacy"))

    response = client.get(url)
    assertContains(response, "A corrected headline")
    assertContains(response, "Diplomacy")


def test_unpublishing_from_the_admin_hides_a_cached_page(client, article, staff):
    url = article.get_absolute_url()
    client.get(url)
    editor = client.__class__()
    editor.force_login(staff)

    editor.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish_selected", "_selected_action": [article.pk]},
    )

    assert client.get(url).status_code == 404


def test_signed_in_pages_are_private_and_never_served_to_guests(client, article):
    reader = UserFactory(username="only-me")
    client.force_login(reader)
    mine = client.get(article.get_absolute_url())
    assert "private" in mine["Cache-Control"]

    guest = client.__class__()
    page = guest.get(article.get_absolute_url())

    assertContains(mine, "only-me")
    assertNotContains(page, "only-me")
    assert "public" in page["Cache-Control"]


def test_a_broken_cache_still_serves_the_page(client, article, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    first = client.get(article.get_absolute_url())
    again = client.get(article.get_absolute_url())

    assertContains(first, article.title)
    assertContains(again, article.title)


def test_a_guests_thread_sits_inside_the_comment_section_once(
    client, article, user, django_capture_on_commit_callbacks
):
    quiet = ArticleFactory()
    empty = client.get(quiet.get_absolute_url()).content.decode()
    assert 'class="comment-thread"' not in empty
    assert "No comments yet." in empty

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(article=article, author=user, body="A first view")
    page = client.get(article.get_absolute_url()).content.decode()
    section = page[page.index('<section id="comments"') : page.index("</section>")]
    assert section.count('class="comment-thread"') == 1
    assert "A first view" in section
    assert page.count("A first view") == 1


def test_the_shared_cache_holds_a_guests_thread_once_inside_their_page(
    client, article, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(article=article, author=user, body="Said once, stored once")
    url = article.get_absolute_url()

    def stored_thread(kind):
        key = fragments.fragment_key(
            article_id=article.pk,
            version=versions.current(article.pk).thread,
            page=1,
            sort="oldest",
            viewer=kind,
        )
        return cache.get(key)

    assertContains(client.get(url), "Said once, stored once")
    # The guest's page, thread and all, is in the shared cache; the thread
    # alone is not there a second time.
    assert stored_thread(GUEST_KIND) is None
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory()  # every stored page is stale: the guest's is rendered again
    assertContains(client.get(url), "Said once, stored once")
    # Signed-in readers' pages are filled per reader from the thread itself,
    # which every app server can take from the shared cache.
    reader = client.__class__()
    reader.force_login(UserFactory())
    assertContains(reader.get(url), "Said once, stored once")
    assert stored_thread(READER_KIND) is not None
