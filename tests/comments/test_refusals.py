"""A refused edit or delete says what happened in the site's layout, keeps the
reader's text and offers the way on; the edit form says until when."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import Comment
from tests.comments.threads import C, build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _edit(client, comment, body="Second thoughts, carefully worded"):
    return client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": body})


def test_an_edit_after_the_window_closed_keeps_the_text_and_offers_to_post_it(
    client, article, user, settings
):
    settings.TIME_ZONE = "UTC"
    posted = timezone.now() - timedelta(minutes=40)
    old = build(article, [C("First thoughts", author=user, created_at=posted)])["First thoughts"]
    client.force_login(user)

    response = _edit(client, old)

    assert response.status_code == 403
    ended = (posted + timedelta(minutes=settings.NEWSROOM_COMMENT_EDIT_WINDOW_MINUTES))
    assertContains(response, "Your changes were not saved", status_code=403)
    assertContains(
        response, f"the time to edit this one ended at {ended:%H:%M}.", status_code=403
    )
    assertContains(response, "Second thoughts, carefully worded</textarea>", status_code=403)
    assertContains(response, 'class="site-header"', status_code=403)  # the site's layout
    assertContains(response, "Post it as a reply", status_code=403)

    posted_reply = client.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        {"body": "Second thoughts, carefully worded", "parent": old.pk},
    )
    assert posted_reply.status_code == 302
    assert Comment.objects.get(body="Second thoughts, carefully worded").parent_id == old.pk


def test_editing_someone_elses_comment_says_why_and_keeps_the_text(client, article, user):
    theirs = build(
        article, [C("Their words", author=UserFactory(), created_at=timezone.now())]
    )["Their words"]
    client.force_login(user)

    response = _edit(client, theirs, "My rewrite")

    assertContains(response, "You can only edit your own comments.", status_code=403)
    assertContains(response, "My rewrite</textarea>", status_code=403)
    theirs.refresh_from_db()
    assert theirs.body == "Their words"


def test_deleting_twice_says_it_is_already_deleted(client, article, user):
    mine = build(article, [C("mine", author=user, created_at=timezone.now())])["mine"]
    client.force_login(user)
    client.post(reverse("comments:delete", kwargs={"pk": mine.pk}))

    again = client.post(reverse("comments:delete", kwargs={"pk": mine.pk}))

    assertContains(again, "This comment cannot be deleted", status_code=403)
    assertContains(again, "You have already deleted this comment.", status_code=403)
    assertContains(again, "Back to the comment", status_code=403)


def test_the_edit_form_says_until_when_its_author_may_edit(client, article, user, settings):
    settings.TIME_ZONE = "UTC"
    posted = timezone.now() - timedelta(minutes=3)
    mine = build(article, [C("mine", author=user, created_at=posted)])["mine"]
    client.force_login(user)

    form = client.get(reverse("comments:edit", kwargs={"pk": mine.pk}))

    until = posted + timedelta(minutes=settings.NEWSROOM_COMMENT_EDIT_WINDOW_MINUTES)
    assertContains(form, "You can edit it until <time datetime=")
    assertContains(form, f">{until:%H:%M}</time>")


def test_a_moderator_has_no_deadline_on_the_form(client, article, staff):
    theirs = build(article, [C("theirs", author=UserFactory(), created_at=timezone.now())])[
        "theirs"
    ]
    client.force_login(staff)

    assertNotContains(client.get(reverse("comments:edit", kwargs={"pk": theirs.pk})), "until")
