"""A reader's own reply emails: switching them off from their list."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from comments.models import Comment


def reply_emails_stop(*, comment: Comment, user) -> bool:
    """Stop the reply emails for `comment`, for its author; return whether
    they were on (a repeat is harmless). Anyone else gets PermissionDenied.

    The signed link in the emails does the same without a log-in
    (`comments.notifications.reply_notifications_stop`).
    """
    if not (user.is_authenticated and user.is_active and comment.author_id == user.pk):
        raise PermissionDenied("You can only change the reply emails of your own comments.")
    with transaction.atomic():
        stopped = Comment.objects.filter(
            pk=comment.pk, author_id=user.pk, notify_replies=True
        ).update(notify_replies=False)
    comment.notify_replies = False
    return bool(stopped)
