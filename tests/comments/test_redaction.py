"""A moderator's redaction stays redacted: the public edit history shows that a
moderator edited or hid a version, never what it said; staff still see it, and
the audit log records it."""

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.management.commands.ensure_editor import editors_group
from comments.models import CommentVersion, ModerationAction
from comments.services import comment_edit, comment_version_redact
from tests.comments.threads import C, build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DOXX = "Call Jane on 555-0199"


@pytest.fixture
def moderator():
    user = UserFactory(username="moderator", is_staff=True)
    user.groups.add(editors_group())
    return user


@pytest.fixture
def doxxing(article):
    author = UserFactory(username="author")
    return build(article, [C(DOXX, author=author, created_at=timezone.now())])[DOXX]


def _history(client, comment):
    return client.get(reverse("comments:history", kwargs={"pk": comment.pk}))


def test_a_moderators_edit_hides_the_earlier_text_from_the_public_history(
    client, doxxing, moderator
):
    comment_edit(comment=doxxing, editor=moderator, body="[redacted]")

    for viewer in (None, UserFactory(), doxxing.author):
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        history = _history(client, doxxing)
        assert history.status_code == 200
        assertNotContains(history, "555-0199")
        assertContains(history, "[redacted]")
        assertContains(history, "A moderator hid what this version said.")
        assertContains(history, "by a moderator")


def test_staff_with_permission_still_see_the_redacted_text_and_the_log_records_it(
    client, doxxing, moderator
):
    comment_edit(comment=doxxing, editor=moderator, body="[redacted]")
    client.force_login(moderator)

    history = _history(client, doxxing)

    assertContains(history, "555-0199")
    assertContains(history, "readers see only this line")
    action = ModerationAction.objects.get(comment=doxxing)
    assert (action.action, action.moderator) == ("edit", moderator)
    version = CommentVersion.objects.get(comment=doxxing)
    assert version.redacted_by == moderator and version.body == DOXX


def test_versions_written_before_the_moderators_edit_are_all_hidden(client, doxxing, moderator):
    comment_edit(comment=doxxing, editor=doxxing.author, body="Call Jane on 555-0199 tonight")
    comment_edit(comment=doxxing, editor=moderator, body="[redacted]")
    # The author's own later edit leaves the redaction in place.
    comment_edit(comment=doxxing, editor=doxxing.author, body="[redacted], sorry")

    history = _history(client, doxxing).content.decode()

    assert "555-0199" not in history
    assert history.count("A moderator hid what this version said.") == 2
    assert "<p>[redacted]</p>" in history  # the moderator's text, replaced by the author


def test_an_authors_own_edit_keeps_the_history_public(client, doxxing):
    comment_edit(comment=doxxing, editor=doxxing.author, body="Call Jane")

    assertContains(_history(client, doxxing), "555-0199")
    assert not ModerationAction.objects.exists()


def test_a_moderator_hides_one_version_without_changing_the_current_text(
    client, doxxing, moderator
):
    comment_edit(comment=doxxing, editor=doxxing.author, body="Call Jane tomorrow")
    version = CommentVersion.objects.get(comment=doxxing)
    client.force_login(moderator)
    assertContains(_history(client, doxxing), "Hide this version from readers")

    response = client.post(reverse("comments:redact-version", kwargs={"pk": version.pk}))

    assert response.status_code == 302
    doxxing.refresh_from_db()
    assert doxxing.body == "Call Jane tomorrow"
    assert ModerationAction.objects.get(comment=doxxing).action == "redact"
    client.logout()
    history = _history(client, doxxing)
    assertNotContains(history, "555-0199")
    assertContains(history, "Call Jane tomorrow")


@pytest.mark.parametrize("role", ["guest", "author", "reader", "staff"])
def test_only_moderators_may_hide_a_version(client, doxxing, role):
    comment_edit(comment=doxxing, editor=doxxing.author, body="Call Jane tomorrow")
    version = CommentVersion.objects.get(comment=doxxing)
    actor = {
        "guest": None,
        "author": doxxing.author,
        "reader": UserFactory(),
        "staff": UserFactory(is_staff=True),
    }[role]
    if actor is not None:
        client.force_login(actor)

    response = client.post(reverse("comments:redact-version", kwargs={"pk": version.pk}))

    assert response.status_code == 403
    version.refresh_from_db()
    assert not version.is_redacted
    assertContains(_history(client, doxxing), "555-0199")


def test_hiding_twice_logs_once(doxxing, moderator):
    comment_edit(comment=doxxing, editor=doxxing.author, body="Call Jane tomorrow")
    version = CommentVersion.objects.get(comment=doxxing)

    assert comment_version_redact(version=version, moderator=moderator) is True
    assert comment_version_redact(version=version, moderator=moderator) is False
    assert ModerationAction.objects.filter(action="redact").count() == 1
