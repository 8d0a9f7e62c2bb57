"""Writes for readers' accounts: closing one, with everything held about it."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from comments.models import Comment, CommentVersion, Like
from comments.services import lock_thread
from comments.services.locks import send_thread_changed


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

    - Their comments stay in place as "[deleted]", with no name and no text,
      so replies keep their thread; with `remove_comments`, those that no one
      replied to are removed entirely (that leaves no orphans).
    - Their earlier versions, IP addresses and user agents are erased, and
      their reply emails stop.
    - Their likes are withdrawn and the counts go down with them.
    - Their reports stay for the moderators, without their name.
    - Every session signed in as them ends; the user row goes, and with it
      their email addresses, sign-in methods and bans.
    Every story page that showed any of it is changed in the same transaction.
    """
    with transaction.atomic():
        mine = Comment.objects.filter(author=user)
        touched = set(mine.values_list("article_id", flat=True))
        liked = Like.objects.filter(user=user)
        touched |= set(liked.values_list("comment__article_id", flat=True))
        # One like per reader and comment: each comment they liked loses one.
        Comment.objects.filter(likes__user=user).update(like_count=F("like_count") - 1)
        liked.delete()

        if remove_comments:
            # A comment no one replied to is a leaf: removing it renumbers its
            # thread, so under the thread's lock, one thread at a time.
            for tree_id in sorted(set(mine.values_list("tree_id", flat=True))):
                lock_thread(tree_id=tree_id)
                for leaf in Comment.objects.filter(
                    author=user, tree_id=tree_id, rght=F("lft") + 1
                ).order_by("-lft"):
                    leaf.refresh_from_db()
                    if leaf.rght == leaf.lft + 1:
                        leaf.delete()
        CommentVersion.objects.filter(comment__author=user).delete()
        mine.update(
            deleted_at=timezone.now(),
            body="",
            body_html="",
            author_name="",
            ip_address=None,
            user_agent="",
            notify_replies=False,
        )
        _end_sessions(user.pk)
        for article_id in sorted(touched):
            send_thread_changed(article_id)
        user.delete()  # email addresses, sign-in methods and bans go with it
