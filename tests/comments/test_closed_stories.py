"""A story whose comments are closed offers no Reply, whether its own setting
or the site's comment period closed them, and its reply page says so."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import StorySettings
from tests.comments.threads import C, build
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _reply_link(comment) -> str:
    return f'href="{reverse("comments:reply", kwargs={"pk": comment.pk})}"'


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_story_closed_by_its_editor_offers_no_reply(client, signed_in):
    story = ArticleFactory(comments_open=False)
    comment = build(story, [C("An old thought")])["An old thought"]
    if signed_in:
        client.force_login(UserFactory())

    page = client.get(story.get_absolute_url())

    assertContains(page, "An old thought")
    assertNotContains(page, _reply_link(comment))
    refused = client.get(reverse("comments:reply", kwargs={"pk": comment.pk}))
    if signed_in:
        assertContains(refused, "Replies are closed", status_code=403)
        assertContains(refused, "Comments are closed.", status_code=403)


def test_reply_goes_when_the_sites_comment_period_runs_out(client):
    StorySettings(comments_close_after_days=7).save()
    story = ArticleFactory(published_at=timezone.now() - timedelta(days=6, hours=23))
    comment = build(story, [C("Still open, just")])["Still open, just"]
    client.force_login(UserFactory())
    assertContains(client.get(story.get_absolute_url()), _reply_link(comment))  # now cached

    # Two hours on: the stored page expired when comments closed (its cache
    # timeout); the thread, stored under the same thread version, did not.
    later = timezone.now() + timedelta(hours=2)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        mock.patch("time.time", return_value=later.timestamp()),
    ):
        page = client.get(story.get_absolute_url())
        assertNotContains(page, _reply_link(comment))
        assertContains(page, "Comments closed on")
        continued = client.get(reverse("comments:detail", kwargs={"pk": comment.pk}))
        assertNotContains(continued, _reply_link(comment))
