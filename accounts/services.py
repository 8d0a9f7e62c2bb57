"""Writes for readers' accounts: closing one, with everything held about it."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from comments.services import reader_erase


def _end_sessions(user_id) -> int:
    """Delete every session signed in as `user_id` (sessions live in the database)."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def account_delete(*, user, remove_comments: bool = False) -> None:
    """Close `user`'s account and erase what is held about them, in one transaction.

    - Out of every thread (`comments.services.reader_erase`): comments stay as
      "[deleted]" with no name or text (or, asked, those without replies go),
      earlier versions, IP addresses and user agents are erased, likes are
      withdrawn, and every story page that showed any of it changes version.
    - Their reports stay for the moderators, without their name.
    - Every session signed in as them ends; the user row goes, and with it
      their email addresses, sign-in methods and bans.
    """
    with transaction.atomic():
        reader_erase(user=user, remove_comments=remove_comments)
        _end_sessions(user.pk)
        user.delete()  # reports keep their row (SET_NULL); the rest goes with it
