"""A story readers cannot see takes no comments: one unpublished while a
reader was writing says so and keeps their text, and an editor's preview of
a draft or scheduled story offers no comment form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.management.commands.ensure_editor import editors_group
from articles.models import Article
from comments.models import Comment
from tests.comments.threads import C, build
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT = "A long thought I spent twenty minutes on"


def _unpublish(article) -> None:
    article.status = Article.Status.DRAFT
    article.save()


@pytest.mark.parametrize("reply", [False, True])
def test_posting_to_a_story_unpublished_meanwhile_says_so_and_keeps_the_text(
    client, article, reply
):
    parent = build(article, [C("Earlier comment")])["Earlier comment"] if reply else None
    client.force_login(UserFactory())
    story_page = client.get(article.get_absolute_url())
    assertContains(story_page, 'id="comment-form"')
    _unpublish(article)

    response = client.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        {"body": TEXT, **({"parent": parent.pk} if parent else {})},
    )

    assert response.status_code == 404
    assertContains(response, "<h1>Your comment was not posted</h1>", status_code=404, html=True)
    assertContains(
        response,
        "This story is no longer published, so your comment was not posted.",
        status_code=404,
    )
    assertContains(
        response,
        f'<textarea id="kept-text" rows="8" readonly dir="auto">{TEXT}</textarea>',
        status_code=404,
        html=True,
    )
    assertContains(response, '<label for="kept-text">Your text</label>', status_code=404, html=True)
    assert Comment.objects.filter(body=TEXT).count() == 0


def test_a_guest_posting_to_an_unpublished_story_is_told_too(client, article):
    _unpublish(article)

    post_url = reverse("comments:post", kwargs={"article_id": article.pk})
    response = client.post(post_url, {"body": TEXT})

    assertContains(response, "This story is no longer published", status_code=404)
    assertContains(response, TEXT, status_code=404)
    assert "comments:draft" not in client.session


def test_a_reply_to_a_comment_that_is_gone_keeps_the_text(client, article):
    client.force_login(UserFactory())

    response = client.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        {"body": TEXT, "parent": 999_999},
    )

    assertContains(response, "The comment you replied to no longer exists", status_code=404)
    assertContains(response, TEXT, status_code=404)


@pytest.fixture
def editor(client):
    editor = StaffFactory(is_superuser=False)
    editor.groups.add(editors_group())
    client.force_login(editor)
    return editor


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
def test_a_preview_of_a_story_readers_cannot_see_offers_no_comment_form(client, editor, kind):
    if kind == "draft":
        story = ArticleFactory(status=Article.Status.DRAFT)
    else:
        story = ArticleFactory(published_at=timezone.now() + timedelta(days=1))
    comment = build(story, [C("Said while it was public")])["Said while it was public"]

    page = client.get(story.get_absolute_url())

    assert page.status_code == 200
    assertContains(page, "Said while it was public")
    assertNotContains(page, 'id="comment-form"')
    assertNotContains(page, reverse("comments:post", kwargs={"article_id": story.pk}))
    assertNotContains(page, reverse("comments:reply", kwargs={"pk": comment.pk}))
    assertContains(page, "Readers can comment once this story is published.")
    reply_page = client.get(reverse("comments:reply", kwargs={"pk": comment.pk}))
    assertContains(reply_page, "Readers can comment once this story is published.", status_code=403)
    assertNotContains(reply_page, 'name="body"', status_code=403)
