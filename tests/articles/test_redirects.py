"""A published story keeps every address it has had: old ones answer 301 to
where it lives now, in one hop, whatever moved it (slug or date)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, ArticleRedirect
from articles.services import article_save
from tests.articles.test_admin import change_form_data, change_url
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(db):
    return ArticleFactory(
        title="Harbour light", slug="harbour-light", published_at=timezone.now() - timedelta(days=3)
    )


def _moved(editor, article, **overrides) -> Article:
    response = editor.post(change_url(article), change_form_data(article, **overrides))
    assert response.status_code == 302, response.context["adminform"].errors
    article.refresh_from_db()
    return article


def _assert_redirects_to(client, old: str, current: str) -> None:
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == current
    followed = client.get(old, follow=True)
    assert followed.redirect_chain == [(current, 301)]
    assert followed.status_code == 200
    assert b"Harbour light" in followed.content


def test_a_new_slug_keeps_the_old_address(editor, client, story):
    old = story.get_absolute_url()
    client.get(old)  # cached for guests at the old address

    moved = _moved(editor, story, slug="harbour-lighthouse")

    assert moved.get_absolute_url().endswith("/harbour-lighthouse/")
    _assert_redirects_to(client, old, moved.get_absolute_url())


def test_a_new_date_keeps_the_old_address(editor, client, story):
    old = story.get_absolute_url()

    moved = _moved(editor, story, published_at=story.published_at - timedelta(days=30))

    assert moved.get_absolute_url() != old
    _assert_redirects_to(client, old, moved.get_absolute_url())


def test_a_story_moved_twice_sends_both_old_addresses_straight_to_the_current(
    editor, client, story
):
    first = story.get_absolute_url()
    second = _moved(editor, story, slug="harbour-light-stays").get_absolute_url()

    current = _moved(editor, story, slug="harbour-light-stays-lit").get_absolute_url()

    _assert_redirects_to(client, first, current)
    _assert_redirects_to(client, second, current)


def test_moving_back_to_an_old_address_serves_it_again(editor, client, story):
    first = story.get_absolute_url()
    _moved(editor, story, slug="renamed")

    _moved(editor, story, slug="harbour-light")

    assert client.get(first).status_code == 200
    renamed = first.replace("harbour-light", "renamed")
    _assert_redirects_to(client, renamed, first)
    assert not ArticleRedirect.objects.filter(old_path=first).exists()


def test_a_drafts_address_changes_record_nothing(editor, client):
    draft = ArticleFactory(slug="working-title", status=Article.Status.DRAFT)
    old = draft.get_absolute_url()

    _moved(editor, draft, slug="final-title")

    assert not ArticleRedirect.objects.exists()
    assert client.get(old).status_code == 404


def test_a_draft_at_an_old_address_keeps_its_redirect_until_it_is_published(
    editor, client, story
):
    old = story.get_absolute_url()
    moved = _moved(editor, story, slug="harbour-lighthouse")
    draft = ArticleFactory(
        title="Harbour light fund", slug="harbour-light", published_at=story.published_at,
        status=Article.Status.DRAFT,
    )  # fmt: skip
    assert draft.get_absolute_url() == old

    _moved(editor, draft, body="Working on it.")

    _assert_redirects_to(client, old, moved.get_absolute_url())  # readers still reach the story
    _moved(editor, draft, status=Article.Status.PUBLISHED)
    response = client.get(old)
    assert response.status_code == 200
    assert b"Harbour light fund" in response.content
    assert not ArticleRedirect.objects.filter(old_path=old).exists()


def test_a_scheduled_storys_address_changes_record_nothing(client):
    scheduled = ArticleFactory(slug="soon", published_at=timezone.now() + timedelta(days=1))

    scheduled.slug = "later"
    article_save(article=scheduled)

    assert not ArticleRedirect.objects.exists()


def test_an_old_address_of_an_unpublished_story_is_not_found_for_readers(
    editor, client, story
):
    old = story.get_absolute_url()
    moved = _moved(editor, story, slug="moved")
    _moved(editor, moved, status=Article.Status.DRAFT)

    assert client.get(old).status_code == 404
    # Editors may preview it, so they are sent on to it.
    assert editor.get(old)["Location"] == moved.get_absolute_url()


def test_an_unknown_address_is_still_not_found(client, story):
    path = story.get_absolute_url().replace("harbour-light", "no-such-story")

    assert client.get(path).status_code == 404
