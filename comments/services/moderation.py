"""Moderators' decisions on comments, and bans.

`comment_moderate` is the one door for a moderator changing a comment's
status (the admin's bulk actions and buttons call it). It changes the status
column only: a removed or spam comment keeps its place in the tree, so its
replies keep theirs and the thread renders it as a placeholder. Every change
is written to the audit log (`ModerationAction`).
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from comments.exceptions import CommentError
from comments.models import Ban, Comment, CommentVersion, ModerationAction
from comments.services.locks import lock_thread, send_thread_changed
from comments.visibility import is_moderator

Status = Comment.Status

# action -> (statuses it applies to, status it sets). A comment in any other
# status is left alone, so a bulk action over a mixed selection is safe.
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({Status.PENDING}), Status.PUBLISHED),
    "spam": (frozenset({Status.PUBLISHED, Status.PENDING, Status.REMOVED}), Status.SPAM),
    "not_spam": (frozenset({Status.SPAM}), Status.PUBLISHED),
    "remove": (frozenset({Status.PUBLISHED, Status.PENDING, Status.SPAM}), Status.REMOVED),
    "restore": (frozenset({Status.REMOVED}), Status.PUBLISHED),
}

# A published comment with reports no moderator has decided on is in the
# queue too; approving it keeps it published and closes the reports.
_ALSO_APPLIES: dict[str, Q] = {
    "approve": Q(status=Status.PUBLISHED, open_reports__gt=0),
}


def action_applies(action: str, comment: Comment) -> bool:
    """Whether `comment_moderate` would change `comment` with `action`."""
    from_statuses, _to_status = ACTIONS[action]
    if comment.status in from_statuses:
        return True
    return action == "approve" and comment.status == Status.PUBLISHED and comment.open_reports > 0


def _applies(action: str) -> Q:
    from_statuses, _to_status = ACTIONS[action]
    q = Q(status__in=from_statuses)
    if action in _ALSO_APPLIES:
        q |= _ALSO_APPLIES[action]
    return q


# A comment leaving one of these for PUBLISHED may be public for the first
# time, so its reply notification is due now (see _first_publications).
_NEVER_PUBLIC = frozenset({Status.PENDING, Status.SPAM})


def _require_moderator(user) -> None:
    if not is_moderator(user):
        raise PermissionDenied("Only moderators can do this.")


def comment_moderate(
    *, comments: Iterable[Comment], moderator, action: str, note: str = ""
) -> int:
    """Apply a moderator's `action` to `comments`; return how many changed.

    Actions: "approve" (pending -> published), "spam" (anything but spam ->
    spam), "not_spam" (spam -> published), "remove" (-> removed) and
    "restore" (removed -> published); "approve" also applies to a published
    comment with open reports, which stays published. Comments the action
    does not apply to are skipped. Every decision closes the comment's open
    reports (`open_reports`), so it leaves the queue.

    Runs in one transaction holding `lock_thread` for every thread touched
    (in tree_id order, so two moderators cannot deadlock), updates the
    status and open-report columns only, and logs one ModerationAction per
    changed comment. In the transaction: `thread_changed` per story (the
    page versions change with the statuses). After commit: Akismet
    submit-spam / submit-ham when AKISMET_API_KEY is set, and the reply
    notification for replies that became public for the first time.
    """
    _require_moderator(moderator)
    if action not in ACTIONS:
        raise CommentError(f"Unknown moderation action {action!r}.", code="action")
    to_status = ACTIONS[action][1]
    if isinstance(comments, QuerySet):
        # The admin passes its annotated queryset; only the ids are needed.
        pks = set(comments.values_list("pk", flat=True))
    else:
        pks = {comment.pk for comment in comments}
    if not pks:
        return 0
    note = (note or "")[: ModerationAction._meta.get_field("note").max_length]

    with transaction.atomic():
        tree_ids = Comment.objects.filter(pk__in=pks).values_list("tree_id", flat=True)
        for tree_id in sorted(set(tree_ids)):
            lock_thread(tree_id=tree_id)
        # Read again under the locks: the statuses decided on are the current ones.
        changing = list(
            Comment.objects.filter(_applies(action), pk__in=pks)
            .only("pk", "status", "article_id", "parent_id", "flag_count", "open_reports")
            .order_by("pk")
        )
        if not changing:
            return 0
        first_publications = (
            _first_publications(changing) if to_status == Status.PUBLISHED else []
        )
        # QuerySet.update, not save(): django-mptt's save may rewrite tree fields.
        Comment.objects.filter(pk__in=[c.pk for c in changing]).update(
            status=to_status, open_reports=0
        )
        ModerationAction.objects.bulk_create(
            ModerationAction(
                comment_id=comment.pk,
                moderator=moderator,
                action=action,
                from_status=comment.status,
                to_status=to_status,
                note=note,
            )
            for comment in changing
        )
        for article_id in sorted({c.article_id for c in changing}):
            send_thread_changed(article_id)
        changed_ids = [c.pk for c in changing]
        if action in ("spam", "not_spam") and settings.AKISMET_API_KEY:
            transaction.on_commit(lambda: _tell_akismet(action, changed_ids))
        if first_publications:
            from comments.notifications import notify_reply

            for reply in first_publications:
                notify_reply(comment=reply)
    return len(changing)


def _first_publications(changing: list[Comment]) -> list[Comment]:
    """The replies among `changing` that were never public before.

    A reply that readers reported (flag_count) or that a moderator once
    published or took down from published was public, and its author's
    parent was notified then; one email per reply is the promise.
    """
    candidates = [
        c for c in changing if c.parent_id and c.status in _NEVER_PUBLIC and not c.flag_count
    ]
    if not candidates:
        return []
    were_public = set(
        ModerationAction.objects.filter(comment_id__in=[c.pk for c in candidates])
        .filter(Q(from_status=Status.PUBLISHED) | Q(to_status=Status.PUBLISHED))
        .values_list("comment_id", flat=True)
    )
    return [c for c in candidates if c.pk not in were_public]


def _tell_akismet(action: str, comment_ids: list[int]) -> None:
    """Report the moderator's verdict to Akismet; its calls never raise."""
    from comments.spam import akismet

    submit = akismet.submit_spam if action == "spam" else akismet.submit_ham
    for comment in Comment.objects.filter(pk__in=comment_ids).select_related("author", "article"):
        submit(comment=comment)


def comment_version_redact(*, version: CommentVersion, moderator, note: str = "") -> bool:
    """Hide one earlier version of a comment from readers, leaving the current
    text as it is (staff still see it). Logged; returns False if it already was."""
    _require_moderator(moderator)
    with transaction.atomic():
        current = (
            CommentVersion.objects.select_for_update(of=("self",))
            .select_related("comment")
            .get(pk=version.pk)
        )
        if current.redacted_at is not None:
            return False
        current.redacted_at, current.redacted_by = timezone.now(), moderator
        current.save(update_fields=["redacted_at", "redacted_by"])
        written = timezone.localtime(current.created_at).strftime("%d %b %Y, %H:%M")
        ModerationAction.objects.create(
            comment=current.comment,
            moderator=moderator,
            action="redact",
            from_status=current.comment.status,
            to_status=current.comment.status,
            note=(note or f"Hid the version written {written} from readers.")[:300],
        )
    return True


def comment_feature(*, comment: Comment, moderator, featured: bool) -> bool:
    """Make `comment` an editors' pick (`featured=True`) or stop it being one.

    Returns whether anything changed: featuring a featured comment, or
    unfeaturing one that is not, changes nothing and logs nothing. Only a
    published comment its author has not deleted can be featured (refused
    with `CommentError` otherwise); any comment can be unfeatured. A
    featured comment a moderator later removes or holds keeps its mark but
    shows nowhere (readers see only what `comments.visibility` lets them),
    and shows again if it is restored.

    The comment's row is locked while its status is read, so a moderator
    removing it at the same moment is either before (the feature is
    refused) or after. Logged as "feature" / "unfeature" in the audit log;
    in the transaction, `thread_changed` (the badge is in the thread's HTML).
    """
    _require_moderator(moderator)
    with transaction.atomic():
        current = (
            Comment.objects.select_for_update(of=("self",))
            .only("pk", "status", "deleted_at", "featured_at", "article_id")
            .get(pk=comment.pk)
        )
        if featured and (current.status != Status.PUBLISHED or current.deleted_at is not None):
            raise CommentError(
                "Only a published comment can be featured.", code="feature_unpublished"
            )
        if (current.featured_at is not None) == featured:
            return False
        stamp = timezone.now() if featured else None
        Comment.objects.filter(pk=current.pk).update(featured_at=stamp)
        ModerationAction.objects.create(
            comment_id=current.pk,
            moderator=moderator,
            action="feature" if featured else "unfeature",
            from_status=current.status,
            to_status=current.status,
        )
        send_thread_changed(current.article_id)
    comment.featured_at = stamp
    return True


def comment_note_add(*, comment: Comment, moderator, note: str) -> ModerationAction:
    """Leave a note on `comment` for the other moderators.

    Notes are kept in the audit log (action "note", the status unchanged)
    and shown on the comment's admin page and its author's history, never
    to readers; no page readers see changes, so no page version does.
    """
    _require_moderator(moderator)
    note = " ".join((note or "").split())
    if not note:
        raise CommentError("Write the note first.", code="note_empty")
    limit = ModerationAction._meta.get_field("note").max_length
    if len(note) > limit:
        raise CommentError(f"A note can be at most {limit} characters long.", code="note_long")
    status = Comment.objects.values_list("status", flat=True).get(pk=comment.pk)
    return ModerationAction.objects.create(
        comment_id=comment.pk,
        moderator=moderator,
        action="note",
        from_status=status,
        to_status=status,
        note=note,
    )


def _ban_note(reason: str, until: datetime | None) -> str:
    limit = ModerationAction._meta.get_field("note").max_length
    if until is None:
        ending = "until lifted"
    else:
        ending = f"until {timezone.localtime(until).strftime('%d %b %Y, %H:%M')}"
    return (f"{reason} ({ending})" if reason else ending[:1].upper() + ending[1:])[:limit]


def user_ban(
    *, user, moderator, reason: str = "", until: datetime | None = None, note: str = ""
) -> Ban:
    """Stop `user` from commenting, until `until` (None: until lifted).

    `reason` is shown to the reader when they try to comment (empty: the
    standard wording, `Ban.STANDARD_REASON`); `note` is for moderators only.
    Banning someone already banned replaces the reason, note and end date.
    Moderators cannot ban themselves or other staff. Logged in the audit
    log (action "ban", naming the reader, with the reason and the end date;
    not the note, since the reader's data download lists their audit entries).
    """
    _require_moderator(moderator)
    if user.pk == moderator.pk or user.is_staff:
        raise CommentError("Staff accounts cannot be banned.", code="ban_staff")
    reason = (reason or "").strip()[: Ban._meta.get_field("reason").max_length]
    note = (note or "").strip()[: Ban._meta.get_field("note").max_length]
    with transaction.atomic():
        ban, _created = Ban.objects.update_or_create(
            user=user,
            defaults={"reason": reason, "note": note, "until": until, "created_by": moderator},
        )
        ModerationAction.objects.create(
            reader=user,
            moderator=moderator,
            action="ban",
            note=_ban_note(reason, until),
        )
    return ban


def user_unban(*, user, moderator) -> bool:
    """Lift `user`'s ban; return whether there was one. Logged as "unban"."""
    _require_moderator(moderator)
    with transaction.atomic():
        deleted, _ = Ban.objects.filter(user=user).delete()
        if deleted:
            ModerationAction.objects.create(reader=user, moderator=moderator, action="unban")
    return bool(deleted)
