"""Reads for the accounts pages."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.visibility import EVERYONE, readable


def profile_user_get(*, username: str):
    """The active user called `username`, or 404.

    Deactivated accounts (banned readers, closed accounts) have no public page.
    """
    return get_object_or_404(get_user_model(), username=username, is_active=True)


def profile_comment_list(*, user) -> QuerySet[Comment]:
    """The comments a profile page lists, newest first, in one query per page.

    Only what every reader may see: published, not deleted by the author, and
    under a story that is itself published (a draft's title must not leak
    through a commenter's page). The story is joined so each row can show
    its title and link without a query of its own, and the columns are cut
    to what the page shows.
    """
    return (
        Comment.objects.filter(
            readable(EVERYONE),
            author=user,
            article__status=Article.Status.PUBLISHED,
            article__published_at__lte=timezone.now(),
        )
        .select_related("article")
        .only(
            "id",
            "body_html",
            "created_at",
            "article",
            "article__title",
            "article__slug",
            "article__published_at",
        )
        .order_by("-created_at", "-id")
    )


# Personal data ------------------------------------------------------------------

# Every place a reader's account is referred to, and where the export (below)
# puts it. A new model pointing at users fails tests/accounts/test_personal_data.py
# until it is added here or to NOT_EXPORTED with the reason.
EXPORTED = {
    ("account.EmailAddress", "user"): "email_addresses",
    ("socialaccount.SocialAccount", "user"): "sign_in",
    ("comments.Comment", "author"): "comments",
    ("comments.CommentVersion", "replaced_by"): "comments",  # their own; others' below
    ("comments.CommentVersion", "redacted_by"): "moderation",
    ("comments.Like", "user"): "likes",
    ("comments.Flag", "user"): "reports",
    ("comments.Ban", "user"): "bans",
    ("comments.Ban", "created_by"): "moderation",
    ("comments.ModerationAction", "moderator"): "moderation",
    ("comments.ModerationAction", "reader"): "ban_history",
    ("admin.LogEntry", "user"): "moderation",
    ("reversion.Revision", "user"): "moderation",
    ("articles.ImportJob", "created_by"): "moderation",
}
NOT_EXPORTED: dict[tuple[str, str], str] = {}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def personal_data_export(*, user) -> dict:
    """Everything held about `user`, as plain data for a JSON download: their
    profile, email addresses, ways to sign in, every comment with its earlier
    versions and status, likes, reports, reply-email subscriptions, bans, and
    (for staff) what they did as moderators. Nothing about anyone else."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.admin.models import LogEntry
    from reversion.models import Revision

    from articles.models import ImportJob
    from comments.models import Ban, CommentVersion, Flag, Like, ModerationAction

    comments = list(
        Comment.objects.filter(author=user)
        .select_related("article")
        .prefetch_related("versions")
        .order_by("created_at")
    )
    return {
        "exported_at": _iso(timezone.now()),
        "profile": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "is_active": user.is_active,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "sign_in": {
            "password": user.has_usable_password(),
            "social_accounts": [
                {
                    "provider": account.provider,
                    "uid": account.uid,
                    "date_joined": _iso(account.date_joined),
                    "last_login": _iso(account.last_login),
                }
                for account in SocialAccount.objects.filter(user=user).order_by("provider")
            ],
        },
        "comments": [
            {
                "id": comment.pk,
                "story": comment.article.title,
                "url": comment.get_absolute_url(),
                "in_reply_to": comment.parent_id,
                "written_at": _iso(comment.created_at),
                "edited_at": _iso(comment.edited_at),
                "deleted_at": _iso(comment.deleted_at),
                "status": comment.status,
                "text": comment.body,
                "ip_address": comment.ip_address,
                "user_agent": comment.user_agent,
                "likes": comment.like_count,
                "earlier_versions": [
                    {
                        "text": version.body,
                        "written_at": _iso(version.created_at),
                        "replaced_at": _iso(version.replaced_at),
                        "hidden_by_a_moderator": version.redacted_at is not None,
                    }
                    for version in comment.versions.all()
                ],
            }
            for comment in comments
        ],
        "likes": [
            {"comment": like.comment_id, "liked_at": _iso(like.created_at)}
            for like in Like.objects.filter(user=user).order_by("created_at")
        ],
        "reports": [
            {
                "comment": flag.comment_id,
                "reason": flag.reason,
                "note": flag.note,
                "reported_at": _iso(flag.created_at),
            }
            for flag in Flag.objects.filter(user=user).order_by("created_at")
        ],
        "reply_email_subscriptions": [
            {"comment": comment.pk, "story": comment.article.title}
            for comment in comments
            if comment.notify_replies
        ],
        "bans": [
            {"reason": ban.reason, "until": _iso(ban.until), "since": _iso(ban.created_at)}
            for ban in Ban.objects.filter(user=user)
        ],
        # Bans and unbans of this reader, without which moderator decided.
        "ban_history": [
            {"action": entry.action, "reason": entry.note, "at": _iso(entry.created_at)}
            for entry in ModerationAction.objects.filter(reader=user).order_by("created_at")
        ],
        "moderation": {
            "actions": [
                {
                    "comment": action.comment_id,
                    "action": action.action,
                    "note": action.note,
                    "at": _iso(action.created_at),
                }
                for action in ModerationAction.objects.filter(moderator=user)
            ],
            "versions_hidden": list(
                CommentVersion.objects.filter(redacted_by=user).values_list("pk", flat=True)
            ),
            "others_edited": list(
                CommentVersion.objects.filter(replaced_by=user)
                .exclude(comment__author=user)
                .values_list("comment_id", flat=True)
            ),
            "bans_made": list(Ban.objects.filter(created_by=user).values_list("pk", flat=True)),
            # What they did in the admin, not to whom: an entry's object name and
            # change message can hold other people's names and addresses.
            "admin_log": [
                {
                    "at": _iso(entry.action_time),
                    "action": entry.get_action_flag_display(),
                    "object_type": str(entry.content_type) if entry.content_type_id else "",
                    "object_id": entry.object_id,
                }
                for entry in LogEntry.objects.filter(user=user)
                .select_related("content_type")
                .order_by("action_time")
            ],
            # Story revisions they saved: when, and the admin's summary of
            # the change ("Changed title"), which names no one.
            "story_revisions": [
                {"at": _iso(revision.date_created), "change": revision.get_comment()}
                for revision in Revision.objects.filter(user=user).order_by("date_created")
            ],
            # Exports they imported in the admin: the file's name, what it was, how it went.
            "imports": [
                {
                    "at": _iso(job.created_at),
                    "kind": job.kind,
                    "file": job.original_name,
                    "status": job.status,
                }
                for job in ImportJob.objects.filter(created_by=user).order_by("created_at")
            ],
        },
    }
