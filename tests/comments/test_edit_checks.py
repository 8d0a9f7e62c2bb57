"""Edits go through the same checks as new comments: an edit cannot smuggle in
what posting would have refused or held."""

import pytest
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.management.commands.ensure_editor import editors_group
from comments.exceptions import CommentError
from comments.models import Ban, BlockedPhrase, Comment, ModerationAction
from comments.services import comment_edit, comment_moderate
from tests.comments.fake_akismet import FakeAkismet
from tests.comments.threads import C, build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status
TWENTY_LINKS = " ".join(f"https://spam{n}.example/" for n in range(20))


@pytest.fixture
def nice(article, user):
    return build(article, [C("Nice article", author=user, created_at=timezone.now())])[
        "Nice article"
    ]


@pytest.fixture
def moderator():
    moderator = UserFactory(username="moderator", is_staff=True)
    moderator.groups.add(editors_group())
    return moderator


def _edit(client, comment, body):
    return client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": body})


@pytest.mark.parametrize(
    ("new_text", "reason"),
    [
        ("Buy cheap pills now", 'Contains blocked phrase "cheap pills"'),
        (f"Nice article {TWENTY_LINKS}", "Contains 20 links"),
    ],
)
def test_an_edit_that_would_be_held_hides_the_comment_pending_review(
    client, article, user, nice, new_text, reason, settings
):
    settings.NEWSROOM_HOLD_LINK_COUNT = 3
    BlockedPhrase.objects.create(phrase="cheap pills")
    client.force_login(user)

    response = _edit(client, nice, new_text)

    assert response.status_code == 302
    nice.refresh_from_db()
    assert (nice.status, nice.hold_reason) == (Status.PENDING, reason)
    assert nice.body == new_text
    log = ModerationAction.objects.get(comment=nice)
    assert (log.action, log.from_status, log.to_status) == ("held_edit", "published", "pending")
    followed = client.get(response["Location"])
    assertContains(followed, "A moderator will review them")
    client.logout()
    guest_page = client.get(article.get_absolute_url())
    assertNotContains(guest_page, "cheap pills")
    assertNotContains(guest_page, "spam19.example")
    assertNotContains(guest_page, "Nice article")


def test_a_moderator_approves_the_held_edit_and_readers_see_the_new_text(
    client, article, user, nice, moderator
):
    BlockedPhrase.objects.create(phrase="cheap pills")
    comment_edit(comment=nice, editor=user, body="Nice article, cheap pills aside")

    comment_moderate(comments=[nice], moderator=moderator, action="approve")

    assertContains(client.get(article.get_absolute_url()), "Nice article, cheap pills aside")


def test_a_clean_edit_never_publishes_a_held_comment(article, user):
    held = build(
        article, [C("First words", author=user, status=Status.PENDING, created_at=timezone.now())]
    )["First words"]

    comment_edit(comment=held, editor=user, body="Cleaner words")

    held.refresh_from_db()
    assert (held.status, held.body) == (Status.PENDING, "Cleaner words")


def test_a_clean_edit_stays_published(user, nice):
    comment_edit(comment=nice, editor=user, body="Nice article, thanks")

    nice.refresh_from_db()
    assert (nice.status, nice.hold_reason) == (Status.PUBLISHED, "")


def test_an_edit_repeating_another_of_the_authors_comments_is_refused(article, user, nice):
    build(article, [C("I said this already", author=user, created_at=timezone.now())])

    with pytest.raises(CommentError, match="already posted"):
        comment_edit(comment=nice, editor=user, body="I said this already")

    nice.refresh_from_db()
    assert nice.body == "Nice article"


def test_an_edit_may_restore_the_comments_own_earlier_words(user, nice):
    comment_edit(comment=nice, editor=user, body="Nice article!")
    comment_edit(comment=nice, editor=user, body="Nice article")

    nice.refresh_from_db()
    assert nice.body == "Nice article"


def test_a_banned_author_cannot_edit(client, user, nice, moderator):
    Ban.objects.create(user=user, reason="Abuse", created_by=moderator)
    client.force_login(user)

    response = _edit(client, nice, "Now I can say anything")

    assert response.status_code == 400
    assertContains(response, "Abuse", status_code=400)
    assertContains(response, "Now I can say anything</textarea>", status_code=400)
    nice.refresh_from_db()
    assert nice.body == "Nice article"


def test_edits_in_quick_succession_are_refused_with_the_wait(user, nice, settings):
    settings.NEWSROOM_FLOOD_MIN_SECONDS = 15
    nice = comment_edit(comment=nice, editor=user, body="Nice article, one")

    with pytest.raises(CommentError, match="wait"):
        comment_edit(comment=nice, editor=user, body="Nice article, two")

    nice.refresh_from_db()
    assert nice.body == "Nice article, one"


def test_a_moderators_edit_is_not_held(moderator, nice, settings):
    settings.NEWSROOM_HOLD_LINK_COUNT = 3

    comment_edit(comment=nice, editor=moderator, body=f"Sources: {TWENTY_LINKS}")

    nice.refresh_from_db()
    assert nice.status == Status.PUBLISHED


def test_akismet_gets_the_edited_text_marked_as_an_edit(user, nice, settings):
    Site.objects.update_or_create(pk=1, defaults={"domain": "news.example.com", "name": "News"})
    with FakeAkismet() as server:
        settings.AKISMET_API_KEY = "test-key"
        settings.NEWSROOM_AKISMET_URL = server.url
        settings.NEWSROOM_AKISMET_TIMEOUT = 0.5

        comment_edit(comment=nice, editor=user, body="Now with viagra-spam", ip_address="203.0.113.9")

        [call] = server.calls("comment-check")
    Site.objects.clear_cache()
    assert call.fields["comment_content"] == "Now with viagra-spam"
    assert call.fields["recheck_reason"] == "edit"
    assert call.fields["user_ip"] == "203.0.113.9"
    nice.refresh_from_db()
    assert (nice.status, nice.hold_reason) == (Status.SPAM, "Akismet: spam")
