"""Reply notification emails and their one-click unsubscribe link."""

import logging
import re
import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from pytest_django.asserts import assertContains

from comments.models import Comment
from comments.notifications import notify_reply, unsubscribe_token
from comments.services.moderation import comment_moderate
from tests.comments.threads import C, build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def ada():
    return UserFactory(username="ada", email="ada@example.com")


@pytest.fixture
def bob():
    return UserFactory(username="bob", email="bob@example.com")


def conversation(
    article, *, parent_author, reply_author, reply_status=Status.PUBLISHED, opted_in=True
):
    """A comment by `parent_author` and a reply to it; returns (parent, reply)."""
    rows = build(
        article,
        [
            C(
                "What a story.",
                [C("I disagree, and here is why.", author=reply_author, status=reply_status)],
                author=parent_author,
            )
        ],
    )
    parent, reply = rows["What a story."], rows["I disagree, and here is why."]
    Comment.objects.filter(pk=parent.pk).update(notify_replies=opted_in)
    return parent, reply


def send(comment, capture):
    with capture(execute=True):
        notify_reply(comment=comment)


def test_a_published_reply_emails_the_parent_author_once(
    article, ada, bob, mailoutbox, django_capture_on_commit_callbacks
):
    parent, reply = conversation(article, parent_author=ada, reply_author=bob)

    send(reply, django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["ada@example.com"]
    assert email.subject == f"bob replied to your comment on “{article.title}”"
    assert "I disagree, and here is why." in email.body
    assert f"http://example.com/comments/{reply.pk}/" in email.body
    unsubscribe = f"http://example.com/comments/unsubscribe/{unsubscribe_token(parent)}/"
    assert unsubscribe in email.body
    assert email.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.content_subtype == "plain" and not getattr(email, "alternatives", None)


def test_the_email_waits_for_the_commit(
    article, ada, bob, mailoutbox, django_capture_on_commit_callbacks
):
    _, reply = conversation(article, parent_author=ada, reply_author=bob)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_reply(comment=reply)
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("status", [Status.PENDING, Status.SPAM, Status.REMOVED])
def test_a_reply_that_is_not_published_sends_nothing(
    article, ada, bob, status, mailoutbox, django_capture_on_commit_callbacks
):
    _, reply = conversation(article, parent_author=ada, reply_author=bob, reply_status=status)

    send(reply, django_capture_on_commit_callbacks)

    assert mailoutbox == []


def test_replying_to_yourself_sends_nothing(
    article, ada, mailoutbox, django_capture_on_commit_callbacks
):
    _, reply = conversation(article, parent_author=ada, reply_author=ada)

    send(reply, django_capture_on_commit_callbacks)

    assert mailoutbox == []


def test_nothing_is_sent_when_the_author_did_not_ask(
    article, ada, bob, mailoutbox, django_capture_on_commit_callbacks
):
    _, reply = conversation(article, parent_author=ada, reply_author=bob, opted_in=False)

    send(reply, django_capture_on_commit_callbacks)

    assert mailoutbox == []


def test_approving_a_held_reply_sends_the_email_then_and_only_once(
    article, ada, bob, staff, mailoutbox, django_capture_on_commit_callbacks
):
    _, reply = conversation(
        article, parent_author=ada, reply_author=bob, reply_status=Status.PENDING
    )

    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comments=[reply], moderator=staff, action="approve")
    assert [email.to for email in mailoutbox] == [["ada@example.com"]]

    # Taken down and put back: the author heard about this reply already.
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comments=[reply], moderator=staff, action="spam")
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comments=[reply], moderator=staff, action="not_spam")
    assert len(mailoutbox) == 1


def test_a_reply_held_after_reader_reports_is_not_announced_again_on_approval(
    article, ada, bob, staff, mailoutbox, django_capture_on_commit_callbacks
):
    _, reply = conversation(
        article, parent_author=ada, reply_author=bob, reply_status=Status.PENDING
    )
    Comment.objects.filter(pk=reply.pk).update(flag_count=3)

    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comments=[reply], moderator=staff, action="approve")

    assert mailoutbox == []


def test_a_mail_server_failure_is_logged_and_the_reply_stays_approved(
    article, ada, bob, staff, settings, caplog, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {"BACKEND": "tests.comments.test_notifications.FailingEmailBackend"}
    }
    _, reply = conversation(
        article, parent_author=ada, reply_author=bob, reply_status=Status.PENDING
    )

    with caplog.at_level(logging.ERROR, logger="comments.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            changed = comment_moderate(comments=[reply], moderator=staff, action="approve")

    assert changed == 1
    reply.refresh_from_db()
    assert reply.status == Status.PUBLISHED
    assert f"reply notification for comment {reply.pk}" in caplog.text


def test_unsubscribe_link_works_without_logging_in(
    client, article, ada, bob, mailoutbox, django_capture_on_commit_callbacks
):
    parent, reply = conversation(article, parent_author=ada, reply_author=bob)
    send(reply, django_capture_on_commit_callbacks)
    path = re.search(r"https?://[^/]+(/comments/unsubscribe/\S+/)", mailoutbox[0].body)[1]

    page = client.get(path)
    assertContains(page, "Stop emails about replies to this comment")
    parent.refresh_from_db()
    assert parent.notify_replies is True  # looking at the page changes nothing

    done = client.post(path)
    assertContains(done, "You will get no more reply emails")
    parent.refresh_from_db()
    assert parent.notify_replies is False

    mailoutbox.clear()
    send(reply, django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_one_click_unsubscribe_from_a_mail_client_needs_no_csrf_token(article, ada, bob):
    from django.test import Client

    parent, _ = conversation(article, parent_author=ada, reply_author=bob)
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        reverse("comments_extra:unsubscribe", kwargs={"token": unsubscribe_token(parent)}),
        {"List-Unsubscribe": "One-Click"},
    )

    assert response.status_code == 200
    parent.refresh_from_db()
    assert parent.notify_replies is False


@pytest.mark.parametrize("tamper", ["signature", "payload"])
def test_a_tampered_unsubscribe_token_is_refused(client, article, ada, bob, tamper):
    parent, _ = conversation(article, parent_author=ada, reply_author=bob)
    other = build(article, [C("Someone else's comment", author=bob)])["Someone else's comment"]
    payload, signature = unsubscribe_token(parent).split(":", 1)
    if tamper == "signature":
        bad = f"{payload}:{signature[:-4]}AAAA"
    else:
        # Another comment's id under this comment's signature.
        bad = f"{unsubscribe_token(other).split(':', 1)[0]}:{signature}"

    response = client.post(reverse("comments_extra:unsubscribe", kwargs={"token": bad}))

    assertContains(response, "This link does not work", status_code=400)
    parent.refresh_from_db()
    other.refresh_from_db()
    assert parent.notify_replies is True
