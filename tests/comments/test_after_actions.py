"""After an action the reader lands where they were: deleting returns to the
thread's position, and a second report is not asked for."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from comments.models import Flag
from comments.services import comment_flag
from tests.comments.threads import C, build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _delete(client, comment):
    return client.post(reverse("comments:delete", kwargs={"pk": comment.pk}))


def test_deleting_a_reply_without_replies_returns_to_its_parent(client, article, user):
    rows = build(
        article, [C("parent", [C("my reply", author=user, created_at=timezone.now())])]
    )
    client.force_login(user)

    response = _delete(client, rows["my reply"])

    assertRedirects(
        response,
        f"{article.get_absolute_url()}?cpage=1&sort=oldest#comment-{rows['parent'].pk}",
        fetch_redirect_response=False,
    )


def test_deleting_a_thread_without_replies_returns_to_its_page_of_threads(
    client, article, user, settings
):
    settings.NEWSROOM_COMMENT_THREADS_PER_PAGE = 1
    now = timezone.now()
    rows = build(
        article,
        [
            C("first", created_at=now - timedelta(minutes=5)),
            C("mine", author=user, created_at=now),
            C("last", created_at=now + timedelta(seconds=5)),
        ],
    )
    client.force_login(user)

    response = _delete(client, rows["mine"])

    assertRedirects(
        response, f"{article.get_absolute_url()}?cpage=2#comments", fetch_redirect_response=False
    )


def test_deleting_a_comment_with_replies_returns_to_it(client, article, user):
    rows = build(article, [C("mine", [C("a reply")], author=user, created_at=timezone.now())])
    client.force_login(user)

    response = _delete(client, rows["mine"])

    assert response["Location"].endswith(f"#comment-{rows['mine'].pk}")
    assertContains(client.get(response["Location"].split("#")[0]), "[deleted]")


def test_a_reader_who_already_reported_is_told_so_before_filling_the_form(client, article, user):
    comment = build(article, [C("rude words", author=UserFactory())])["rude words"]
    comment_flag(comment=comment, user=user, reason=Flag.Reason.ABUSE)
    client.force_login(user)

    page = client.get(reverse("comments:flag", kwargs={"pk": comment.pk}))

    assertContains(page, "You have already reported this comment, on")
    assertContains(page, "no need to report it again")
    assertNotContains(page, "Send report")


def test_the_author_is_told_they_cannot_report_their_own(client, article, user):
    comment = build(article, [C("mine", author=user)])["mine"]
    client.force_login(user)

    page = client.get(reverse("comments:flag", kwargs={"pk": comment.pk}))

    assertContains(page, "This is your own comment")
    assertNotContains(page, "Send report")
