"""Moderators' decisions: comment_moderate, bans and the audit log."""

from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from comments.exceptions import CommentError
from comments.models import Ban, Comment, Flag, ModerationAction
from comments.services import comment_create, comment_flag
from comments.services.moderation import (
    comment_moderate,
    comment_note_add,
    user_ban,
    user_unban,
)
from tests.comments.conftest import tree_problems
from tests.comments.fake_akismet import FakeAkismet
from tests.comments.threads import C, build
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


def tree_rows():
    """Every comment's place in its tree; moderation must never change it."""
    return list(
        Comment.objects.order_by("pk").values_list(
            "id", "tree_id", "lft", "rght", "parent_id", "level"
        )
    )


def status_of(comment) -> str:
    return Comment.objects.values_list("status", flat=True).get(pk=comment.pk)


@pytest.fixture
def fake_akismet(settings):
    with FakeAkismet() as server:
        settings.AKISMET_API_KEY = "test-key"
        settings.NEWSROOM_AKISMET_URL = server.url
        yield server


def test_approve_publishes_held_comments_and_logs_who_did_it(article, staff):
    rows = build(
        article, [C("held one", status=Status.PENDING), C("held two", status=Status.PENDING)]
    )

    changed = comment_moderate(
        comments=[rows["held one"], rows["held two"]],
        moderator=staff,
        action="approve",
        note="fine",
    )

    assert changed == 2
    assert {status_of(rows["held one"]), status_of(rows["held two"])} == {Status.PUBLISHED}
    log = list(ModerationAction.objects.order_by("comment_id").values_list(
        "comment_id", "moderator_id", "action", "from_status", "to_status", "note"
    ))
    assert log == [
        (rows["held one"].pk, staff.pk, "approve", Status.PENDING, Status.PUBLISHED, "fine"),
        (rows["held two"].pk, staff.pk, "approve", Status.PENDING, Status.PUBLISHED, "fine"),
    ]


def test_removing_the_middle_of_a_thread_leaves_the_tree_as_it_was(article, staff):
    #  root
    #  └── middle      <- removed
    #      ├── a
    #      └── b
    #  other
    rows = build(article, [C("root", [C("middle", [C("a"), C("b")])]), C("other")])
    before = tree_rows()

    assert comment_moderate(comments=[rows["middle"]], moderator=staff, action="remove") == 1

    assert tree_rows() == before
    assert tree_problems() == []
    assert status_of(rows["middle"]) == Status.REMOVED
    assert status_of(rows["a"]) == Status.PUBLISHED


def test_every_action_moves_only_the_statuses_it_applies_to(article, staff):
    rows = build(
        article,
        [
            C("published"),
            C("pending", status=Status.PENDING),
            C("spam", status=Status.SPAM),
            C("removed", status=Status.REMOVED),
        ],
    )
    everything = list(rows.values())

    assert comment_moderate(comments=everything, moderator=staff, action="restore") == 1
    assert status_of(rows["removed"]) == Status.PUBLISHED
    assert comment_moderate(comments=everything, moderator=staff, action="not_spam") == 1
    assert status_of(rows["spam"]) == Status.PUBLISHED
    assert comment_moderate(comments=everything, moderator=staff, action="approve") == 1
    assert status_of(rows["pending"]) == Status.PUBLISHED
    assert comment_moderate(comments=everything, moderator=staff, action="spam") == 4
    assert comment_moderate(comments=everything, moderator=staff, action="spam") == 0
    assert comment_moderate(comments=everything, moderator=staff, action="remove") == 4
    assert ModerationAction.objects.count() == 3 + 4 + 4


def test_a_comment_the_action_does_not_apply_to_gets_no_log_entry(article, staff):
    rows = build(article, [C("already public")])

    changed = comment_moderate(comments=[rows["already public"]], moderator=staff, action="approve")

    assert changed == 0
    assert not ModerationAction.objects.exists()


def test_only_staff_can_moderate(article, user):
    rows = build(article, [C("held", status=Status.PENDING)])

    with pytest.raises(PermissionDenied):
        comment_moderate(comments=[rows["held"]], moderator=user, action="approve")
    assert status_of(rows["held"]) == Status.PENDING


def test_an_unknown_action_is_refused(article, staff):
    rows = build(article, [C("held", status=Status.PENDING)])

    with pytest.raises(CommentError):
        comment_moderate(comments=[rows["held"]], moderator=staff, action="delete")


def test_thread_changed_is_sent_once_per_story_inside_the_write(
    article, staff, thread_changes, django_capture_on_commit_callbacks
):
    rows = build(article, [C("one", [C("two")])])

    with django_capture_on_commit_callbacks(execute=False):
        comment_moderate(comments=[rows["one"], rows["two"]], moderator=staff, action="remove")
        # Before commit: receivers change the page version in the same transaction.
        assert thread_changes == [article.pk]


def test_spam_and_not_spam_are_reported_to_akismet_when_it_is_configured(
    article, staff, fake_akismet, django_capture_on_commit_callbacks
):
    rows = build(article, [C("buy pills"), C("honest opinion", status=Status.SPAM)])

    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comments=[rows["buy pills"]], moderator=staff, action="spam")
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comments=[rows["honest opinion"]], moderator=staff, action="not_spam")

    assert [r.fields["comment_content"] for r in fake_akismet.calls("submit-spam")] == ["buy pills"]
    assert [r.fields["comment_content"] for r in fake_akismet.calls("submit-ham")] == [
        "honest opinion"
    ]


def test_without_an_akismet_key_nothing_is_sent(
    article, staff, settings, django_capture_on_commit_callbacks
):
    rows = build(article, [C("buy pills")])
    with FakeAkismet() as server:
        settings.AKISMET_API_KEY = ""
        settings.NEWSROOM_AKISMET_URL = server.url
        with django_capture_on_commit_callbacks(execute=True):
            comment_moderate(comments=[rows["buy pills"]], moderator=staff, action="spam")
        assert server.requests == []
    assert status_of(rows["buy pills"]) == Status.SPAM


def test_user_ban_creates_a_ban_and_a_second_ban_replaces_it(staff, user):
    ban = user_ban(user=user, moderator=staff, reason="Abuse")

    assert (ban.user, ban.reason, ban.created_by, ban.until) == (user, "Abuse", staff, None)
    other_moderator = StaffFactory()
    user_ban(user=user, moderator=other_moderator, reason="Abuse again")
    ban = Ban.objects.get()
    assert (ban.reason, ban.created_by) == ("Abuse again", other_moderator)


def test_staff_cannot_be_banned_and_readers_cannot_ban(staff, user):
    with pytest.raises(CommentError):
        user_ban(user=StaffFactory(), moderator=staff)
    with pytest.raises(PermissionDenied):
        user_ban(user=UserFactory(), moderator=user)
    assert not Ban.objects.exists()


def test_user_unban_lifts_the_ban(staff, user):
    user_ban(user=user, moderator=staff)

    assert user_unban(user=user, moderator=staff) is True
    assert user_unban(user=user, moderator=staff) is False
    assert not Ban.objects.exists()


def test_bans_and_unbans_are_in_the_audit_log(staff, user):
    until = timezone.make_aware(datetime(2031, 3, 1, 9, 30))
    user_ban(user=user, moderator=staff, reason="Abuse", until=until)
    user_unban(user=user, moderator=staff)
    user_unban(user=user, moderator=staff)  # nothing to lift: not logged
    user_ban(user=user, moderator=staff)
    user_ban(user=user, moderator=staff, until=until)

    log = list(
        ModerationAction.objects.order_by("pk").values_list(
            "action", "reader", "moderator", "comment", "note"
        )
    )
    assert log == [
        ("ban", user.pk, staff.pk, None, "Abuse (until 01 Mar 2031, 09:30)"),
        ("unban", user.pk, staff.pk, None, ""),
        ("ban", user.pk, staff.pk, None, "Until lifted"),
        ("ban", user.pk, staff.pk, None, "Until 01 Mar 2031, 09:30"),
    ]


def test_a_refused_ban_is_not_logged(staff):
    with pytest.raises(CommentError):
        user_ban(user=StaffFactory(), moderator=staff)
    assert not ModerationAction.objects.exists()


def test_moderators_notes_are_logged_without_changing_the_comment(staff, user, article):
    rows = build(article, [C("held", status=Status.PENDING)])

    entry = comment_note_add(comment=rows["held"], moderator=staff, note="  Ask the   desk. ")

    assert (entry.action, entry.note, entry.from_status, entry.to_status) == (
        "note",
        "Ask the desk.",
        Status.PENDING,
        Status.PENDING,
    )
    assert status_of(rows["held"]) == Status.PENDING
    with pytest.raises(CommentError):
        comment_note_add(comment=rows["held"], moderator=staff, note="   ")
    with pytest.raises(CommentError):
        comment_note_add(comment=rows["held"], moderator=staff, note="x" * 301)
    with pytest.raises(PermissionDenied):
        comment_note_add(comment=rows["held"], moderator=user, note="I am not one")
    assert ModerationAction.objects.count() == 1


def test_reports_a_moderator_kept_a_comment_over_do_not_hide_it_again(article, staff, settings):
    settings.NEWSROOM_COMMENT_FLAGS_TO_HIDE = 3
    comment = comment_create(article=article, author=UserFactory(), body="Sharp but fair")
    for _ in range(3):
        comment_flag(comment=comment, user=UserFactory(), reason=Flag.Reason.ABUSE)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING  # three readers reported it

    comment_moderate(comments=[comment], moderator=staff, action="approve")
    comment_flag(comment=comment, user=UserFactory(), reason=Flag.Reason.ABUSE)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED  # one new report is not three

    for _ in range(2):
        comment_flag(comment=comment, user=UserFactory(), reason=Flag.Reason.ABUSE)
    comment.refresh_from_db()
    assert (comment.status, comment.hold_reason) == (Comment.Status.PENDING, "Reported by 3 readers")
    assert comment.flag_count == 6
