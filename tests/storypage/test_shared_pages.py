"""Signed-in readers' story pages come from one shared rendering, filled in per reader.

Whatever the first reader's page left in the cache, every other reader must
see only their own name, likes, Edit / Delete links and CSRF token, and
everything that is theirs alone (a held comment, a message, a draft) must
still show.
"""

import re

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from comments.drafts import DRAFT_SESSION_KEY
from comments.models import Comment, Like
from comments.services import comment_create
from storypage import guest_pages, shared_pages
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _reader(name: str) -> tuple[Client, object]:
    user = UserFactory(username=name, first_name=name.title(), last_name="Reader")
    client = Client()
    client.force_login(user)
    return client, user


def _shared_page_kept(article) -> tuple[str, Client]:
    """The story's URL once Ann has read it, which keeps its shared rendering."""
    ann, _ = _reader("ann")
    url = article.get_absolute_url()
    ann.get(url)
    return url, ann


def _pressed_ids(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-like="(\d+)" aria-pressed="true"', html)}


@pytest.fixture
def two_comments(article, django_capture_on_commit_callbacks):
    author = UserFactory(username="author")
    with django_capture_on_commit_callbacks(execute=True):
        first = comment_create(article=article, author=author, body="First thoughts")
        second = comment_create(article=article, author=author, body="Second thoughts")
    return first, second


def test_each_reader_sees_their_own_name_and_likes_on_the_shared_page(
    article, two_comments, django_assert_num_queries
):
    first, second = two_comments
    ann, ann_user = _reader("ann")
    bob, bob_user = _reader("bob")
    Like.objects.create(user=ann_user, comment=first)
    Like.objects.create(user=bob_user, comment=second)
    url = article.get_absolute_url()

    ann_page = ann.get(url).content.decode()  # rendered, and kept for other readers
    bob.get(url)  # Bob's first page keeps a copy of his session beside it
    with django_assert_num_queries(1):  # his user with his likes and session check; nothing about the story
        bob_response = bob.get(url)
    bob_page = bob_response.content.decode()

    assert "Bob Reader" in bob_page and "Ann Reader" not in bob_page
    assert "Ann Reader" in ann_page and "Bob Reader" not in ann_page
    assert _pressed_ids(ann_page) == {first.pk}
    assert _pressed_ids(bob_page) == {second.pk}
    assert "private" in bob_response["Cache-Control"]
    assert "\x00" not in bob_page
    # The rest of the page is the same rendering.
    assert bob_page.count("<article id=\"comment-") == ann_page.count("<article id=\"comment-") == 2


def test_a_reader_gets_edit_links_for_their_own_comments_only(
    article, django_capture_on_commit_callbacks
):
    ann, ann_user = _reader("ann")
    bob, bob_user = _reader("bob")
    with django_capture_on_commit_callbacks(execute=True):
        mine = comment_create(article=article, author=bob_user, body="Bob's view")
        theirs = comment_create(article=article, author=ann_user, body="Ann's view")
    url = article.get_absolute_url()
    ann.get(url)

    page = bob.get(url)

    assertContains(page, reverse("comments:edit", kwargs={"pk": mine.pk}))
    assertNotContains(page, reverse("comments:edit", kwargs={"pk": theirs.pk}))


def test_the_csrf_token_on_a_shared_page_is_the_readers_own_and_works(
    article, two_comments, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    first_reader, _ = _reader("ann")
    first_reader.get(url)
    user = UserFactory(username="carol")
    carol = Client(enforce_csrf_checks=True)
    carol.force_login(user)

    page = carol.get(url).content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))

    assert len(tokens) == 1  # the same token in the log-out, comment and like forms
    with django_capture_on_commit_callbacks(execute=True):
        response = carol.post(
            reverse("comments:post", kwargs={"article_id": article.pk}),
            {"body": "Posted from a shared page", "csrfmiddlewaretoken": tokens.pop()},
        )
    assert response.status_code == 302
    assert Comment.objects.filter(author=user, body="Posted from a shared page").exists()


def test_a_new_comment_and_a_story_edit_show_on_the_next_request(
    article, two_comments, django_capture_on_commit_callbacks
):
    url, ann = _shared_page_kept(article)

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(article=article, author=UserFactory(), body="Just in")
    assertContains(ann.get(url), "Just in")

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "A corrected headline"
        article.save()
    assertContains(ann.get(url), "A corrected headline")


def test_a_reader_with_a_held_comment_still_sees_it(
    article, two_comments, settings, django_capture_on_commit_callbacks
):
    url, ann = _shared_page_kept(article)
    dan, dan_user = _reader("dan")
    settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS = True
    with django_capture_on_commit_callbacks(execute=True):
        held = comment_create(article=article, author=dan_user, body="Waiting for a moderator")
    assert held.status == Comment.Status.PENDING

    assertContains(dan.get(url), "Waiting for a moderator")
    assertNotContains(ann.get(url), "Waiting for a moderator")


def test_a_pending_message_is_shown_once(article, two_comments):
    url, _ = _shared_page_kept(article)
    bob, _ = _reader("bob")
    storage = CookieStorage(RequestFactory().get("/"))
    bob.cookies[CookieStorage.cookie_name] = storage._encode(
        [Message(constants.SUCCESS, "Your comment is published.")]
    )

    assertContains(bob.get(url), "Your comment is published.")
    assertNotContains(bob.get(url), "Your comment is published.")


def test_a_draft_kept_across_log_in_is_in_the_form(article, two_comments):
    url, ann = _shared_page_kept(article)
    bob, _ = _reader("bob")
    session = bob.session
    session[DRAFT_SESSION_KEY] = {"article_id": article.pk, "body": "Half a thought", "parent_id": None}
    session.save()

    assertContains(bob.get(url), "Half a thought</textarea>")
    assertNotContains(ann.get(url), "Half a thought")


def test_a_session_changed_since_its_cached_copy_is_read_from_the_database(
    article, two_comments, monkeypatch
):
    url, _ = _shared_page_kept(article)
    bob, _ = _reader("bob")
    bob.get(url)
    bob.get(url)  # served from the shared rendering, with his session's cached copy
    shared = caches["default"]
    for name in ("set", "set_many", "delete", "delete_many"):
        monkeypatch.setattr(shared, name, lambda *args, **kwargs: None)  # writes lost
    session = bob.session
    session[DRAFT_SESSION_KEY] = {"article_id": article.pk, "body": "Second thought", "parent_id": None}
    session.save()  # another request of his changed it; the copy is now stale

    assertContains(bob.get(url), "Second thought</textarea>")


def test_staff_get_their_own_page_with_the_admin_link(article, two_comments):
    url, ann = _shared_page_kept(article)
    editor = Client()
    editor.force_login(StaffFactory())

    page = editor.get(url)

    assertContains(page, reverse("admin:index"))
    assertNotContains(ann.get(url), reverse("admin:index"))


def test_an_unchanged_page_revalidates_and_a_like_changes_it(
    article, two_comments, django_capture_on_commit_callbacks
):
    first, _ = two_comments
    url, ann = _shared_page_kept(article)
    page = ann.get(url)
    assert page["ETag"]

    assert ann.get(url, HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        ann.post(reverse("comments:like", kwargs={"pk": first.pk}))
    changed = ann.get(url, HTTP_IF_NONE_MATCH=page["ETag"])
    assert changed.status_code == 200
    assert _pressed_ids(changed.content.decode()) == {first.pk}
    # Another reader's page of the same story is not this reader's.
    bob, _ = _reader("bob")
    assert bob.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


def test_a_reader_who_changes_their_name_sees_the_new_one_at_once(article, two_comments):
    url = article.get_absolute_url()
    ann, ann_user = _reader("ann")
    assertContains(ann.get(url), "Ann Reader")

    ann_user.first_name = "Annie"
    ann_user.save()

    page = ann.get(url)
    assertContains(page, "Annie Reader")
    assertNotContains(page, "Ann Reader")


def _count_cache_reads(monkeypatch) -> list[str]:
    """Every read of the shared cache from here on (each one a round trip)."""

    shared = caches["default"]
    reads: list[str] = []
    inside: list[bool] = []  # the local-memory cache's get_many calls its own get
    for name in ("get", "get_many"):
        original = getattr(shared, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            if not inside:
                reads.append(_name)
            inside.append(True)
            try:
                return _original(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(shared, name, counted)
    return reads


def test_a_server_that_served_the_page_before_needs_no_cache_read(
    article, two_comments, monkeypatch
):
    url, _ = _shared_page_kept(article)
    bob, _ = _reader("bob")
    bob.get(url)
    reads = _count_cache_reads(monkeypatch)

    page = bob.get(url).content.decode()

    assert "Bob Reader" in page  # signed in, from the session copy it remembered
    assert reads == []


def test_the_shared_page_and_the_readers_session_are_one_cache_read(
    article, two_comments, monkeypatch
):
    url, _ = _shared_page_kept(article)
    bob, _ = _reader("bob")
    bob.get(url)
    shared_pages._entries.clear()  # as on another server: only the shared cache has them
    reads = _count_cache_reads(monkeypatch)

    page = bob.get(url).content.decode()

    assert "Bob Reader" in page  # signed in, from the session copy read with the page
    assert reads == ["get_many"]


def test_a_server_whose_remembered_page_is_out_of_date_takes_the_shared_caches(
    article, two_comments, monkeypatch, django_assert_num_queries, django_capture_on_commit_callbacks
):
    url, ann = _shared_page_kept(article)
    bob, _ = _reader("bob")
    bob.get(url)
    key = guest_pages.page_key(RequestFactory().get(url), shared_pages.KIND)
    remembered = shared_pages._entries.get(key)
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(article=article, author=UserFactory(), body="Third thoughts")
    ann.get(url)  # another server renders the new page into the shared cache
    shared_pages._entries.put(key, remembered)  # while this one remembers the old
    reads = _count_cache_reads(monkeypatch)

    with django_assert_num_queries(1):  # not rendered again
        page = bob.get(url).content.decode()

    assert "Third thoughts" in page and "Bob Reader" in page
    assert reads == ["get"]


def test_a_logged_out_session_is_dead_even_if_the_cache_failed_at_logout(
    article, two_comments, monkeypatch
):
    url, _ = _shared_page_kept(article)
    bob, _ = _reader("bob")
    assert "Bob Reader" in bob.get(url).content.decode()
    cookie = bob.cookies[settings.SESSION_COOKIE_NAME].value
    shared = caches["default"]

    def dropped(*args, **kwargs):
        return None  # as the fail-open Redis cache answers while Redis refuses writes

    for name in ("set", "set_many", "delete", "delete_many", "add", "touch"):
        monkeypatch.setattr(shared, name, dropped)
    bob.post(reverse("account_logout"))
    monkeypatch.undo()  # the cache is back

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    page = replay.get(url).content.decode()

    assert "Bob Reader" not in page and "Log in" in page


def test_an_app_server_that_did_not_render_the_page_serves_it_from_the_cache(
    article, two_comments, monkeypatch
):

    ann, _ = _reader("ann")
    bob, _ = _reader("bob")
    url = article.get_absolute_url()
    ann_page = ann.get(url).content.decode()
    bob.get(url)
    shared_pages._encoded_pages.clear()  # as on another server: only the shared cache has it
    shared_pages._entries.clear()
    reads = _count_cache_reads(monkeypatch)

    bob_page = bob.get(url).content.decode()

    assert reads == ["get_many", "get"]  # the entry with the session, then the page's text
    assert "Bob Reader" in bob_page
    assert bob_page.replace("Bob Reader", "").count("comment-") == ann_page.replace(
        "Ann Reader", ""
    ).count("comment-")


def test_a_page_whose_text_left_the_cache_is_rendered_again(article, two_comments):


    url, _ = _shared_page_kept(article)
    bob, _ = _reader("bob")
    shared_pages._encoded_pages.clear()
    shared_pages._entries.clear()
    entry = cache.get(guest_pages.page_key(RequestFactory().get(url), shared_pages.KIND))
    cache.delete(entry.parts_key)  # the page's text, evicted

    response = bob.get(url)

    assert response.status_code == 200
    assertContains(response, "Bob Reader")
    assertContains(response, "First thoughts")
