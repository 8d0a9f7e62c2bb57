"""Email to a commenter when someone replies to them.

A reader who ticks "email me about replies" (Comment.notify_replies) gets
one plain-text email per published reply, with a link to it and a signed
one-click unsubscribe link that needs no log-in. The email goes out after
the reply's transaction commits, and a mail server failure is logged, never
raised: the reply is already saved and must stay so.
"""

import email.policy
import logging
from email.headerregistry import HeaderRegistry, UnstructuredHeader

from django.conf import settings
from django.contrib.sites.models import Site
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from comments.models import Comment

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "comments.notifications.unsubscribe"


class _OneLineHeader(UnstructuredHeader):
    """A header written on one line as it is, never folded or encoded.

    RFC 2369 and RFC 8058 headers hold a URL in angle brackets that mail
    clients read literally. Python's email package folds a header longer
    than 78 characters and, finding no space to fold at in a long URL,
    encodes it as RFC 2047 words ("=?utf-8?q?=3Chttps=3A//..."), which no
    client reads as a URL, so none offered an Unsubscribe button. RFC 5322
    allows lines up to 998 characters; anything that could not go as it is
    (longer, or not ASCII) is folded as usual.
    """

    def fold(self, *, policy):
        line = f"{self.name}: {self}"
        if self.isascii() and len(line) <= 998 and "\r" not in line and "\n" not in line:
            return line + policy.linesep
        return super().fold(policy=policy)


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("list-unsubscribe", _OneLineHeader)
_HEADERS.map_to_type("list-unsubscribe-post", _OneLineHeader)


class ReplyEmail(EmailMessage):
    """An EmailMessage whose List-Unsubscribe headers go out exactly as set."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(header_factory=_HEADERS))


def unsubscribe_token(comment: Comment) -> str:
    """A signed token naming `comment`, for its author's unsubscribe link.

    It does not expire (an old email's link should still work) and is the
    same in every email about the comment.
    """
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(comment.pk)


def comment_for_unsubscribe_token(token: str) -> Comment | None:
    """The comment a token was made for, or None if it is forged or gone."""
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Comment.objects.select_related("article").filter(pk=pk).first()


def reply_notifications_stop(*, comment: Comment) -> None:
    """Turn off reply emails for `comment`; repeating it is harmless."""
    Comment.objects.filter(pk=comment.pk, notify_replies=True).update(notify_replies=False)
    comment.notify_replies = False


def absolute_url(path: str) -> str:
    """`path` on the site's public address (the Sites framework's domain).

    Emails are sent outside any request, so the address cannot come from one;
    the protocol is the one account emails use.
    """
    protocol = getattr(settings, "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https")
    return f"{protocol}://{Site.objects.get_current().domain}{path}"


def notify_reply(*, comment: Comment) -> None:
    """Email the parent's author about `comment` once the transaction commits.

    Call it when a reply becomes public: from comment_create for a reply
    published straight away, from comment_moderate when a held one is
    approved. Outside a transaction it sends at once. Whether to send is
    decided at sending time, on the rows as committed.
    """
    if comment.parent_id is None:
        return
    comment_id = comment.pk
    transaction.on_commit(lambda: send_reply_notification(comment_id=comment_id))


def send_reply_notification(*, comment_id: int) -> bool:
    """Send the reply email for comment `comment_id` if it is due; return whether it went.

    Due when the reply is published and not deleted, its parent's author
    opted in on that comment, has an email address and an active account,
    and is not the one who replied.
    """
    reply = (
        Comment.objects.select_related("article", "author", "parent__author")
        .filter(pk=comment_id)
        .first()
    )
    if reply is None or reply.status != Comment.Status.PUBLISHED or reply.is_deleted:
        return False
    parent = reply.parent
    if parent is None or not parent.notify_replies or parent.is_deleted:
        return False
    recipient = parent.author
    if recipient is None or not recipient.is_active or not recipient.email:
        return False
    if reply.author_id == recipient.pk:
        return False

    unsubscribe_url = absolute_url(
        reverse("comments_extra:unsubscribe", kwargs={"token": unsubscribe_token(parent)})
    )
    context = {
        "site_name": settings.SITE_NAME,
        "recipient": recipient,
        "reply": reply,
        "parent": parent,
        "article": reply.article,
        "reply_url": absolute_url(reply.get_absolute_url()),
        "unsubscribe_url": unsubscribe_url,
    }
    subject = " ".join(render_to_string("comments/email/reply_subject.txt", context).split())
    message = ReplyEmail(
        subject=subject,
        body=render_to_string("comments/email/reply_body.txt", context),
        to=[recipient.email],
        headers={
            # RFC 8058: mail clients offer an unsubscribe button that POSTs here.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    try:
        message.send()
    except Exception:
        # Any mail failure (SMTP refusal, connection error, timeout) is logged
        # and swallowed: the reply is committed and the reader's request must
        # not fail because of an email.
        logger.exception("Could not send the reply notification for comment %s", reply.pk)
        return False
    return True
