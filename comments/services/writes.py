"""Readers' and moderators' writes to comments, and the rules views share."""

import html as html_entities
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags

from articles.models import Article, StorySettings
from comments.exceptions import CommentError
from comments.formatting import render_comment
from comments.models import Comment, CommentVersion, Flag, Like, ModerationAction
from comments.notifications import notify_reply
from comments.selectors.nodes import CommentMeta
from comments.services.locks import insert_comment, send_thread_changed
from comments.spam import Action, run_pipeline
from comments.visibility import is_moderator

_EDITABLE_STATUSES = frozenset({Comment.Status.PUBLISHED, Comment.Status.PENDING})
_REPORTABLE_STATUSES = frozenset({Comment.Status.PUBLISHED, Comment.Status.PENDING})
_USER_AGENT_MAX = Comment._meta.get_field("user_agent").max_length
_FLAG_NOTE_MAX = Flag._meta.get_field("note").max_length
# What Article.comments_are_open reads (besides the site default that
# published() annotates).
# The story re-check every comment makes. Building it through the ORM costs
# several times what running it does, so it is written out: it selects what
# Article.objects.published() does and the site default that
# with_comment_policy() adds (a test checks that the two agree).
_STORY_SQL = f"""
SELECT a.published_at, a.comments_open, a.comments_close_after_days,
    (SELECT s.comments_close_after_days FROM {StorySettings._meta.db_table} s WHERE s.id = 1)
FROM {Article._meta.db_table} a
WHERE a.id = %s AND a.status = %s AND a.published_at <= %s
"""


def story_for_comments(article_id: int) -> Article | None:
    """The story as readers may see it now, with what `comments_are_open` needs,
    or None if it is not published."""
    with connection.cursor() as cursor:
        cursor.execute(_STORY_SQL, [article_id, Article.Status.PUBLISHED, timezone.now()])
        row = cursor.fetchone()
    if row is None:
        return None
    story = Article(
        pk=article_id,
        status=Article.Status.PUBLISHED,
        published_at=row[0],
        comments_open=row[1],
        comments_close_after_days=row[2],
    )
    story.site_close_after_days = row[3]
    return story


# Rules ---------------------------------------------------------------------
#
# Each takes a Comment or, from a rendered thread, its CommentMeta: they read
# only the author, status, creation and deletion.


def _is_active_user(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _is_author(comment: Comment | CommentMeta, user) -> bool:
    return comment.author_id is not None and comment.author_id == user.pk


def edit_deadline(comment: Comment | CommentMeta):
    """When its author's time to edit `comment` ends."""
    return comment.created_at + timedelta(minutes=settings.NEWSROOM_COMMENT_EDIT_WINDOW_MINUTES)


def _within_edit_window(comment: Comment | CommentMeta) -> bool:
    return timezone.now() <= edit_deadline(comment)


def edit_refusal(*, comment: Comment | CommentMeta, user) -> str:
    """Why `user` may not edit `comment` now, for them to read; "" when they may.

    Its author within the edit window, or a moderator at any time; nobody
    once it is deleted, removed or marked as spam (to its author, spam is
    "no longer editable" like any other held state that ended).
    """
    if not _is_active_user(user):
        return "Sign in to edit your comments."
    if comment.is_deleted:
        return "This comment was deleted, so it can no longer be edited."
    if comment.status not in _EDITABLE_STATUSES:
        return "This comment can no longer be edited."
    if is_moderator(user):
        return ""
    if not _is_author(comment, user):
        return "You can only edit your own comments."
    if not _within_edit_window(comment):
        minutes = settings.NEWSROOM_COMMENT_EDIT_WINDOW_MINUTES
        ended = timezone.localtime(edit_deadline(comment))
        return (
            f"Comments can be edited for {minutes} minutes after posting; "
            f"the time to edit this one ended at {ended:%H:%M}."
        )
    return ""


def can_edit(*, comment: Comment | CommentMeta, user) -> bool:
    """Whether `user` may edit `comment` now (see `edit_refusal`)."""
    return not edit_refusal(comment=comment, user=user)


def delete_refusal(*, comment: Comment | CommentMeta, user) -> str:
    """Why `user` may not delete `comment`, for them to read; "" when they may.

    Its author until they have deleted it; a moderator, as a removal, until
    it is removed. comment_delete itself also accepts a repeat, as a no-op.
    """
    if not _is_active_user(user):
        return "Sign in to delete your comments."
    if _is_author(comment, user):
        return "You have already deleted this comment." if comment.is_deleted else ""
    if not is_moderator(user):
        return "You can only delete your own comments."
    if comment.status == Comment.Status.REMOVED:
        return "This comment has already been removed."
    return ""


def can_delete(*, comment: Comment | CommentMeta, user) -> bool:
    """Whether `user` may delete `comment` (see `delete_refusal`)."""
    return not delete_refusal(comment=comment, user=user)


def _clean_body(body: str) -> tuple[str, str]:
    """The stripped text and its HTML, or CommentError saying what is wrong."""
    text = (body or "").strip()
    if "\x00" in text:
        raise CommentError("Comments cannot contain NUL characters.", code="nul")
    limit = settings.NEWSROOM_COMMENT_MAX_LENGTH
    if len(text) > limit:
        raise CommentError(
            f"Comments can be at most {limit:,} characters long; this one has {len(text):,}.",
            code="too_long",
        )
    html = render_comment(text) if text else ""
    # Django's tag stripper suffices on HTML already sanitized, and costs a
    # fifth of a second pass through bleach.
    shown = html_entities.unescape(strip_tags(html))
    if not shown.strip():
        raise CommentError("Write something before posting.", code="empty")
    if not has_visible_character(shown):
        raise CommentError(
            "This comment has no visible text, only invisible characters "
            "(zero-width or no-break spaces, for instance). Write something people can read.",
            code="invisible",
        )
    return text, html


# Unicode categories that print nothing on their own: control and format
# characters (zero-width spaces and joiners, direction marks, soft hyphens,
# tags), space, line and paragraph separators (no-break spaces included), and
# combining marks, which only change the character before them (variation
# selectors, the grapheme joiner).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters and symbols that fonts draw as blank space, used to fake an empty
# name or message: the Hangul fillers and the blank Braille pattern.
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible_character(text: str) -> bool:
    """Whether `text` has at least one character that shows on the page."""
    return any(
        char not in _BLANK_GLYPHS and unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        for char in text
    )


def _moderation_status(
    *,
    article: Article,
    author,
    body: str,
    parent: Comment | None,
    ip_address: str | None,
    user_agent: str = "",
    referrer: str = "",
    honeypot: str = "",
    html: str = "",
) -> tuple[str, str]:
    """(status, hold_reason) of a new comment from the spam pipeline (comments.spam),
    or CommentError with the reason to show when the pipeline rejects it."""
    verdict = run_pipeline(
        article=article,
        author=author,
        body=body,
        parent=parent,
        ip_address=ip_address,
        user_agent=user_agent,
        referrer=referrer,
        honeypot=honeypot,
        html=html,
    )
    if verdict.action is Action.REJECT:
        raise CommentError(verdict.reason, code=verdict.code)
    return verdict.status, verdict.reason


# Writes --------------------------------------------------------------------


def comment_create(
    *,
    article: Article,
    author,
    body: str,
    parent: Comment | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    referrer: str = "",
    honeypot: str = "",
    notify_replies: bool = False,
) -> Comment:
    """Post a comment on `article`, or a reply to `parent`.

    Refuses (CommentError) when the story is unpublished or closed, the
    parent is on another story or is not published (a reply to an
    author-deleted comment is fine), the reply would be nested deeper than
    NEWSROOM_COMMENT_MAX_DEPTH, or the body is empty, has no visible
    character or is too long. Anonymous or inactive authors get
    PermissionDenied. The spam pipeline then rejects
    it (CommentError with the reason) or decides its status: published, or
    held as pending / spam with the reasons in hold_reason. `referrer` and
    `honeypot` (the hidden form field) are for the pipeline only.
    `notify_replies` opts the author in to an email for each reply; a reply
    published at once emails its parent's author (if they opted in) after
    commit.
    """
    if not _is_active_user(author):
        raise PermissionDenied("Sign in to comment.")
    if parent is not None and parent.article_id != article.pk:
        raise CommentError("You can only reply to a comment on the same story.", code="parent")
    text, html = _clean_body(body)

    with transaction.atomic():
        current = story_for_comments(article.pk)
        if current is None:
            raise CommentError("This story is not available for comments.", code="unpublished")
        if not current.comments_are_open:
            raise CommentError("Comments on this story are closed.", code="closed")
        # Before any lock: the pipeline may wait on Akismet for up to its
        # timeout, and under the new-tree lock every other new top-level
        # comment on the site would wait with it.
        status, hold_reason = _moderation_status(
            article=article,
            author=author,
            body=text,
            parent=parent,
            ip_address=ip_address,
            user_agent=user_agent,
            referrer=referrer,
            honeypot=honeypot,
            html=html,
        )

        comment = Comment(
            article=article,
            author=author,
            body=text,
            body_html=html,
            status=status,
            hold_reason=hold_reason,
            created_at=timezone.now(),
            ip_address=ip_address or None,
            user_agent=(user_agent or "")[:_USER_AGENT_MAX],
            notify_replies=notify_replies,
        )
        # Takes the thread's lock (or the new-tree lock) and checks the parent
        # as it is once the lock is held: still published, not too deep.
        parent = insert_comment(comment, parent)
        send_thread_changed(article.pk)
        # The parent row was just read under the lock: skip the after-commit
        # work entirely in the common case of an author who did not opt in.
        if (
            parent is not None
            and parent.notify_replies
            and parent.author_id != author.pk
            and status == Comment.Status.PUBLISHED
        ):
            notify_reply(comment=comment)
    return comment


def comment_edit(
    *,
    comment: Comment,
    editor,
    body: str,
    ip_address: str | None = None,
    user_agent: str = "",
    referrer: str = "",
) -> Comment:
    """Replace a comment's text, keeping the previous text as a CommentVersion.

    The author may edit within NEWSROOM_COMMENT_EDIT_WINDOW_MINUTES of
    posting, a moderator at any time. The author's new text goes through the
    spam pipeline as a new comment's does (`editing`; the request's address,
    user agent and referrer are for it): a refusal is a CommentError and
    nothing changes; a hold saves the text but hides the comment pending
    review (status PENDING or SPAM with the reasons, logged as "held_edit"),
    so readers see the held-comment placeholder, never the unchecked text,
    until a moderator approves it. An edit never publishes a held comment. A moderator's edit of someone else's
    comment is marked as edited by a moderator, redacts every earlier version
    (readers see that a moderator edited it, not what it said; staff still
    see it) and is written to the audit log. Unchanged text saves nothing.
    Returns the comment as saved.
    """
    moderator = is_moderator(editor)
    if not _is_active_user(editor) or not (moderator or _is_author(comment, editor)):
        raise PermissionDenied("You can only edit your own comments.")
    text, html = _clean_body(body)
    verdict = None
    if not moderator and text != comment.body:
        # Before the row lock: Akismet may take up to its timeout.
        verdict = run_pipeline(
            article=comment.article,
            author=editor,
            body=text,
            html=html,
            ip_address=ip_address,
            user_agent=user_agent,
            referrer=referrer,
            editing=comment,
        )
        if verdict.action is Action.REJECT:
            raise CommentError(verdict.reason, code=verdict.code)
    with transaction.atomic():
        # Locking the row orders concurrent edits, so each version records
        # the text the next edit replaced.
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.is_deleted or current.status not in _EDITABLE_STATUSES:
            raise CommentError("This comment can no longer be edited.", code="not_editable")
        if not moderator and not _within_edit_window(current):
            minutes = settings.NEWSROOM_COMMENT_EDIT_WINDOW_MINUTES
            raise CommentError(
                f"Comments can only be edited in the first {minutes} minutes after posting.",
                code="edit_window",
            )
        if text == current.body:
            return current

        now = timezone.now()
        CommentVersion.objects.create(
            comment=current,
            body=current.body,
            body_html=current.body_html,
            created_at=current.edited_at or current.created_at,
            replaced_by=editor,
        )
        current.body, current.body_html, current.edited_at = text, html, now
        if not _is_author(current, editor):
            current.edited_by_moderator = True
            current.versions.filter(redacted_at__isnull=True).update(
                redacted_at=now, redacted_by=editor
            )
            ModerationAction.objects.create(
                comment=current,
                moderator=editor,
                action="edit",
                from_status=current.status,
                to_status=current.status,
                note="Edited the text; earlier versions hidden from readers.",
            )
        fields = ["body", "body_html", "edited_at", "edited_by_moderator"]
        if verdict is not None and verdict.action is Action.HOLD:
            ModerationAction.objects.create(
                comment=current,
                moderator=None,
                action="held_edit",
                from_status=current.status,
                to_status=verdict.status,
                note=f"Held after an edit: {verdict.reason}"[:300],
            )
            current.status, current.hold_reason = verdict.status, verdict.reason
            fields += ["status", "hold_reason"]
        current.save(update_fields=fields)
        send_thread_changed(current.article_id)
    return current


def comment_delete(*, comment: Comment, actor) -> Comment:
    """Delete a comment: by its author, or remove it as staff.

    The author's delete erases the words (body, HTML and edit history) but
    keeps the node, so replies keep their place under a "[deleted]" marker.
    Staff removal only sets status REMOVED and keeps the text for the record.
    Repeating either is harmless. Anyone else gets PermissionDenied.
    """
    if not _is_active_user(actor):
        raise PermissionDenied("Sign in to delete comments.")
    by_author = _is_author(comment, actor)
    if not by_author and not is_moderator(actor):
        raise PermissionDenied("You can only delete your own comments.")
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if by_author:
            if current.is_deleted:
                return current
            current.deleted_at = timezone.now()
            current.body = current.body_html = ""
            current.versions.all().delete()
            current.save(update_fields=["deleted_at", "body", "body_html"])
        else:
            if current.status == Comment.Status.REMOVED:
                return current
            current.status = Comment.Status.REMOVED
            current.save(update_fields=["status"])
        send_thread_changed(current.article_id)
    return current


def like_toggle(*, comment: Comment, user) -> tuple[bool, int]:
    """Like a comment, or take the like back. Returns (liked now?, like count).

    Only published, undeleted comments can be liked or unliked, and never by
    their author. The Like row
    and the counter change in one statement, committed with the story's page
    version; a double submit that races itself is caught by the unique
    constraint and does not count twice.
    """
    if not _is_active_user(user):
        raise PermissionDenied("Sign in to like comments.")
    if _is_author(comment, user):
        raise CommentError("You cannot like your own comment.", code="own")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                _LIKE_TOGGLE_SQL,
                {
                    "comment": comment.pk,
                    "published": Comment.Status.PUBLISHED,
                    "user": user.pk,
                    "now": timezone.now(),
                },
            )
            removed, like_count = cursor.fetchone()
        if like_count is None:
            raise CommentError("This comment can no longer be liked.", code="not_likeable")
        send_thread_changed(comment.article_id)
    return not removed, like_count


# like_toggle's statement. The comment, if it may be liked, is locked first
# (a removal committed meanwhile is seen: the lock waits for it and re-checks
# the row); then the reader's like is deleted, or else added (a like the same
# reader's other request has just added is a conflict: nothing is added and
# nothing counted); then the counter moves by what changed. A comment that
# may not be liked is not touched at all.
_LIKE_TOGGLE_SQL = f"""
    WITH target AS (
        SELECT id, article_id FROM {Comment._meta.db_table}
        WHERE id = %(comment)s AND status = %(published)s AND deleted_at IS NULL
        FOR NO KEY UPDATE
    ), removed AS (
        DELETE FROM {Like._meta.db_table}
        WHERE user_id = %(user)s AND comment_id = (SELECT id FROM target)
        RETURNING 1
    ), added AS (
        INSERT INTO {Like._meta.db_table} (user_id, comment_id, article_id, created_at)
        SELECT %(user)s, id, article_id, %(now)s FROM target WHERE NOT EXISTS (SELECT FROM removed)
        ON CONFLICT (user_id, comment_id) DO NOTHING
        RETURNING 1
    ), counted AS (
        UPDATE {Comment._meta.db_table}
        SET like_count = like_count + (SELECT count(*) FROM added) - (SELECT count(*) FROM removed)
        WHERE id = (SELECT id FROM target)
        RETURNING like_count
    )
    SELECT EXISTS (SELECT FROM removed), (SELECT like_count FROM counted)"""


def comment_flag(*, comment: Comment, user, reason: str, note: str = "") -> Flag:
    """Report a comment to the moderators.

    One report per reader and comment, never on one's own. Every report
    counts as open (`open_reports`, which puts the comment in the moderation
    queue) until a moderator's next decision on the comment. When the open
    reports reach NEWSROOM_COMMENT_FLAGS_TO_HIDE, a published comment is held
    (status PENDING) until a moderator decides: reports a moderator already
    weighed and kept the comment over do not count again.
    """
    if not _is_active_user(user):
        raise PermissionDenied("Sign in to report comments.")
    if _is_author(comment, user):
        raise CommentError("You cannot report your own comment.", code="own")
    if reason not in Flag.Reason.values:
        raise CommentError("Choose a reason for the report.", code="reason")
    note = (note or "").strip()
    if len(note) > _FLAG_NOTE_MAX:
        raise CommentError(
            f"The note can be at most {_FLAG_NOTE_MAX} characters long.", code="note"
        )
    duplicate = CommentError("You have already reported this comment.", code="duplicate")
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.is_deleted or current.status not in _REPORTABLE_STATUSES:
            raise CommentError("This comment can no longer be reported.", code="not_reportable")
        if Flag.objects.filter(user=user, comment=current).exists():
            raise duplicate
        try:
            with transaction.atomic():
                flag = Flag.objects.create(user=user, comment=current, reason=reason, note=note)
        except IntegrityError:
            raise duplicate from None
        current.open_reports += 1
        update_fields = []
        threshold = settings.NEWSROOM_COMMENT_FLAGS_TO_HIDE
        if current.status == Comment.Status.PUBLISHED and current.open_reports >= threshold:
            current.status = Comment.Status.PENDING
            current.hold_reason = f"Reported by {current.open_reports} readers"
            update_fields += ["status", "hold_reason"]
        # F() rather than the value read, although the row lock already
        # orders reports, so the counter stays right for any other writer.
        Comment.objects.filter(pk=current.pk).update(
            flag_count=F("flag_count") + 1,
            open_reports=F("open_reports") + 1,
            **{name: getattr(current, name) for name in update_fields},
        )
        send_thread_changed(current.article_id)
    return flag
