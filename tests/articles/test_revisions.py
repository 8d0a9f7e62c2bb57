"""Every save of a story in the admin keeps a version (django-reversion): the
history lists them, each compares field by field with now, and restoring
one is a save like any other — cached pages follow, old addresses work."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from reversion.models import Version

from articles.models import Article
from tests.articles.test_admin import change_form_data, change_url
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _save(editor, article, **overrides) -> Article:
    response = editor.post(change_url(article), change_form_data(article, **overrides))
    assert response.status_code == 302, response.context["adminform"].errors
    article.refresh_from_db()
    return article


@pytest.fixture
def story(editor):
    """A published story saved twice in the admin: "Lighthouse to close", then "… to stay lit"."""
    article = ArticleFactory(title="Draft headline", slug="lighthouse")
    _save(editor, article, title="Lighthouse to close", body="The council will vote.")
    return _save(editor, article, title="Lighthouse to stay lit", body="The council voted.")


def _versions(article) -> list[Version]:
    return list(Version.objects.get_for_object(article).order_by("pk"))


def _as_saved(version) -> Article:
    """The story as `version` kept it, for the restore form to post."""
    fields = {name: value for name, value in version.field_dict.items() if name != "tags"}
    return Article(**fields)


def _urls(article, version) -> tuple[str, str]:
    restore = reverse("admin:articles_article_revision", args=[article.pk, version.pk])
    return restore, f"{restore}diff/"


def test_the_history_lists_each_saved_version_with_a_comparison(editor, story):
    first, second = _versions(story)

    response = editor.get(reverse("admin:articles_article_history", args=[story.pk]))

    assert [v.field_dict["title"] for v in (first, second)] == [
        "Lighthouse to close",
        "Lighthouse to stay lit",
    ]
    for version in (first, second):
        restore, diff = _urls(story, version)
        assertContains(response, f'href="{restore}"')
        assertContains(response, f'href="{diff}"')
    assertContains(response, "<td>desk_editor</td>", count=2)


def test_a_version_compares_field_by_field_with_now(editor, story):
    first, _ = _versions(story)

    response = editor.get(_urls(story, first)[1])

    assert response.status_code == 200
    assertContains(response, '<h2 id="diff-1">Title</h2>', html=True)
    assertContains(response, '<h2 id="diff-2">Body</h2>', html=True)
    assertContains(response, '<span class="diff_sub">Lighthouse&nbsp;to&nbsp;close</span>')
    assertContains(response, '<span class="diff_add">Lighthouse&nbsp;to&nbsp;stay&nbsp;lit</span>')
    assertNotContains(response, "<h2 id=\"diff-3\">")  # the slug did not change


def test_the_latest_version_is_the_same_as_now(editor, story):
    _, second = _versions(story)

    response = editor.get(_urls(story, second)[1])

    assertContains(response, "This version is the same as the story now.")


def test_the_comparison_escapes_what_editors_typed(editor, story):
    _save(editor, story, body='<script>alert("x")</script> & more')
    first = _versions(story)[0]

    response = editor.get(_urls(story, first)[1])

    assertNotContains(response, "<script>alert")
    assertContains(response, "&lt;script&gt;alert")


def test_staff_without_the_editors_permissions_cannot_compare(client, story):
    client.force_login(UserFactory(username="intern", is_staff=True))

    assert client.get(_urls(story, _versions(story)[0])[1]).status_code == 403


def test_opening_a_version_shows_it_in_the_form_and_changes_nothing(editor, story):
    first, _ = _versions(story)

    response = editor.get(_urls(story, first)[0])

    assertContains(response, 'value="Lighthouse to close"')
    story.refresh_from_db()
    assert story.title == "Lighthouse to stay lit"


def test_restoring_a_version_reaches_pages_already_cached(editor, client, story):
    first, _ = _versions(story)
    assertContains(client.get(story.get_absolute_url()), "Lighthouse to stay lit")  # cached

    restore = _urls(story, first)[0]
    old = _as_saved(first)
    response = editor.post(restore, change_form_data(old))

    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.title, story.body) == ("Lighthouse to close", "The council will vote.")
    page = client.get(story.get_absolute_url())
    assertContains(page, "Lighthouse to close")
    assertNotContains(page, "Lighthouse to stay lit")
    assert len(_versions(story)) == 3  # the restore is a version of its own


def test_restoring_a_version_with_another_slug_keeps_the_current_address(editor, client, story):
    first, _ = _versions(story)
    renamed = _save(editor, story, slug="lighthouse-stays")
    current = renamed.get_absolute_url()

    old = _as_saved(first)
    response = editor.post(_urls(story, first)[0], change_form_data(old))

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.slug == "lighthouse"
    assert client.get(story.get_absolute_url()).status_code == 200
    assert client.get(current)["Location"] == story.get_absolute_url()
