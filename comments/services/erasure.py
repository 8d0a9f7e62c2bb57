"""Erasing a reader from the conversation when they close their account."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from comments.models import Comment, CommentVersion, Like
from comments.services.locks import lock_thread, send_thread_changed


def reader_erase(*, user, remove_comments: bool = False) -> None:
    """Take `user` out of every thread, in the caller's transaction.

    Their comments stay in place as "[deleted]", with no name and no text, so
    replies keep their thread; with `remove_comments`, those no one replied to
    are removed entirely (under the thread's lock: that renumbers the tree).
    Earlier versions, IP addresses and user agents are erased and reply
    emails stop; their likes are withdrawn and the counts go down. Every
    story whose conversation changed gets a new page version.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("reader_erase() must run inside a transaction.")
    mine = Comment.objects.filter(author=user)
    touched = set(mine.values_list("article_id", flat=True))
    liked = Like.objects.filter(user=user)
    touched |= set(liked.values_list("comment__article_id", flat=True))
    # One like per reader and comment: each comment they liked loses one.
    Comment.objects.filter(likes__user=user).update(like_count=F("like_count") - 1)
    liked.delete()

    if remove_comments:
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
    for article_id in sorted(touched):
        send_thread_changed(article_id)
