"""Copying a story's comment thread from its original page or from an export."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from articles.models import Article
from comments.exceptions import CommentError
from comments.formatting import render_comment
from comments.models import Comment, CommentVersion, ModerationAction
from comments.services.locks import (
    insert_comment,
    insert_new_threads,
    lock_new_tree,
    send_thread_changed,
)

_IMPORT_KEY_MAX = Comment._meta.get_field("import_key").max_length
_USER_AGENT_MAX = Comment._meta.get_field("user_agent").max_length


@dataclass(frozen=True)
class ImportedVersion:
    """A previous text of an imported comment (its edit history)."""

    body: str
    created_at: datetime


@dataclass
class ImportedComment:
    """One comment of a thread copied from a story's original page or an export.

    A page gives only the first five fields. An export of this site also
    gives the moderation status, the edit marks, the author's deletion, the
    edit history and when a moderator featured it; another system's export
    (WordPress, Disqus) gives the status, the commenter's IP address and
    user agent, kept like a reader's (`manage.py purge_comment_ips` clears
    them), and the email address and website they gave (`imported_contact`),
    for moderators only. `None` (or the default) means "not known".
    """

    key: str
    author_name: str
    body: str
    like_count: int
    created_at: datetime | None = None
    children: list["ImportedComment"] = field(default_factory=list)
    status: str | None = None
    edited_at: datetime | None = None
    edited_by_moderator: bool = False
    deleted_at: datetime | None = None
    featured_at: datetime | None = None  # an editors' pick (exports of this site)
    versions: list[ImportedVersion] = field(default_factory=list)
    ip_address: str | None = None
    user_agent: str = ""
    author_email: str = ""  # another system's export: for moderators only
    author_url: str = ""


_EMAIL_MAX = Comment._meta.get_field("author_email").max_length
_URL_MAX = Comment._meta.get_field("author_url").max_length
_WEB_ADDRESS = URLValidator(schemes=["http", "https"])


def imported_contact(email: str, url: str) -> tuple[str, str]:
    """The email address and website an export gives for a commenter, as
    kept: each dropped ("") unless it is a valid address (a website: http or
    https) that fits its column."""
    email, url = (email or "").strip(), (url or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    try:
        _WEB_ADDRESS(url)
    except ValidationError:
        url = ""
    return (email if len(email) <= _EMAIL_MAX else ""), (url if len(url) <= _URL_MAX else "")


def walk_imported(comments: list[ImportedComment]):
    """(item, parent item) pairs in document order, without recursion."""
    stack = [(item, None) for item in reversed(comments)]
    while stack:
        item, parent = stack.pop()
        yield item, parent
        stack.extend((child, item) for child in reversed(item.children))


def takes_imported_text(node: Comment) -> bool:
    """Whether a page import replaces this stored comment's text: words
    deleted or corrected here are not brought back."""
    return not node.is_deleted and node.edited_at is None


def _check(items: list[tuple[ImportedComment, ImportedComment | None]]) -> None:
    keys = [item.key for item, _parent in items]
    if any(not key or len(key) > _IMPORT_KEY_MAX for key in keys):
        raise CommentError(
            f"Every imported comment needs a key of 1 to {_IMPORT_KEY_MAX} characters."
        )
    if len(set(keys)) != len(keys):
        raise CommentError("Imported comment keys must be unique within a story.")
    if any(item.like_count < 0 for item, _parent in items):
        raise CommentError("Imported like counts cannot be negative.")
    if any(item.status not in (None, *Comment.Status.values) for item, _parent in items):
        raise CommentError(f"Imported statuses must be one of {', '.join(Comment.Status.values)}.")


def comment_import_thread(
    *,
    article: Article,
    comments: list[ImportedComment],
    restore: bool = False,
    lower_likes: bool = False,
) -> int:
    """Create or update imported comments on `article`; return how many were new.

    Comments are matched by `key` (stored as import_key), so importing the
    same page again creates nothing and moves nothing: it only refreshes the
    author name, date, like baseline and text (unless the text was deleted
    or edited here). like_count is always the baseline plus the likes
    readers have given here. Works on closed stories too.

    A page never lowers a stored like baseline unless `lower_likes` is set:
    a page saved without its "Liked by" lines (cut short, or saved by a
    signed-out browser) would otherwise reset readers' counts to 0.
    `comments.selectors.imports.thread_import_changes` shows beforehand
    what an import would change.

    Outside a restore, a comment's `status`, when given, is taken by a new
    comment; on an existing one it only ever hides, and never overrules a
    moderator here: a published comment the source now holds, marks as
    spam or removed stops showing, unless a moderator here has decided on
    it (the moderation log); one the source approved stays as it is here.

    With `restore=True` the comments are a complete record, an export of
    this site: an existing comment also takes the record's status, text,
    edit marks, deletion, featured mark and edit history, and `like_count`
    is the total to show, so the baseline becomes what that total leaves
    after the likes given here (re-importing an export never counts a like twice).
    A comment written here has no import key; its export names it by its
    position, and restoring into the same database recognises it by its
    parent and creation time and gives it that key instead of a copy.

    New threads are built in memory and written in one bulk insert under
    the new-tree lock (`comments.services.locks.insert_new_threads`), so a
    story's import costs the same few queries whatever its size; a new
    reply to a stored comment is inserted into its thread like a reader's
    (`insert_comment`, under that thread's lock).
    """
    items = list(walk_imported(comments))
    _check(items)
    keys = [item.key for item, _parent in items]

    created = 0
    with transaction.atomic():
        # Taken first and once: the lock order in comments.services.locks.
        lock_new_tree()
        existing = {
            c.import_key: c for c in Comment.objects.filter(article=article, import_key__in=keys)
        }
        unkeyed = {}
        if restore:
            unkeyed = {
                (c.parent_id, c.created_at): c
                for c in Comment.objects.filter(article=article, import_key="")
            }
        moderated = set()
        if not restore and any(item.status for item, _parent in items):
            moderated = set(
                ModerationAction.objects.filter(
                    comment__in=[node.pk for node in existing.values()]
                ).values_list("comment_id", flat=True)
            )
        nodes: dict[str, Comment] = {}
        # New comments whose parent is new too (or who start a thread) are
        # written together at the end; a new reply to a stored comment is
        # inserted at once, in its stored thread.
        batch: list[tuple[Comment, Comment | None]] = []
        batched: set[str] = set()
        new_versions: list[tuple[Comment, list[ImportedVersion]]] = []
        for position, (item, parent_item) in enumerate(items, start=1):
            parent = None if parent_item is None else nodes[parent_item.key]
            node = existing.get(item.key)
            if node is None and unkeyed and (parent is None or parent.pk is not None):
                node = unkeyed.pop((None if parent is None else parent.pk, item.created_at), None)
                if node is not None:
                    Comment.objects.filter(pk=node.pk).update(import_key=item.key)
            if node is None:
                node = Comment(
                    article=article,
                    author_name=item.author_name,
                    body=item.body,
                    body_html=_html(item.body),
                    status=item.status or Comment.Status.PUBLISHED,
                    # An undated page: after the story, in page order, never "today".
                    created_at=item.created_at
                    or min(article.published_at + timedelta(minutes=position), timezone.now()),
                    edited_at=item.edited_at,
                    edited_by_moderator=item.edited_by_moderator,
                    deleted_at=item.deleted_at,
                    featured_at=item.featured_at,
                    like_baseline=item.like_count,
                    like_count=item.like_count,
                    import_key=item.key,
                    ip_address=item.ip_address,
                    user_agent=item.user_agent[:_USER_AGENT_MAX],
                    author_email=item.author_email,
                    author_url=item.author_url,
                )
                if parent is None or parent_item.key in batched:
                    batch.append((node, parent))
                    batched.add(item.key)
                else:
                    insert_comment(node, parent, imported=True)
                if item.versions:
                    new_versions.append((node, item.versions))
                created += 1
            else:
                _update(
                    node,
                    item,
                    restore=restore,
                    lower_likes=lower_likes,
                    moderated=node.pk in moderated,
                )
            nodes[item.key] = node
        insert_new_threads(batch)
        _store_versions(new_versions)
        send_thread_changed(article.pk)
    return created


def _html(body: str) -> str:
    # A deleted comment has no words, and its HTML must not be an empty paragraph.
    return render_comment(body) if body else ""


def _store_versions(histories: list[tuple[Comment, list[ImportedVersion]]]) -> None:
    """Store the edit histories of comments, in one statement."""
    CommentVersion.objects.bulk_create(
        CommentVersion(
            comment=node,
            body=version.body,
            body_html=_html(version.body),
            created_at=version.created_at,
        )
        for node, versions in histories
        for version in versions
    )


def _update(
    node: Comment, item: ImportedComment, *, restore: bool, lower_likes: bool, moderated: bool
) -> None:
    changes = {"author_name": item.author_name}
    if item.author_email or item.author_url:  # a page gives neither: keep what an export gave
        changes.update(author_email=item.author_email, author_url=item.author_url)
    if item.created_at is not None:
        changes["created_at"] = item.created_at
    # Likes given here (like_count - like_baseline) are counted on the row
    # itself, so a like given while we import is neither lost nor counted twice.
    local_likes = F("like_count") - F("like_baseline")
    if restore:
        changes.update(
            like_baseline=Greatest(Value(item.like_count) - local_likes, Value(0)),
            like_count=Greatest(Value(item.like_count), local_likes),
            status=item.status or Comment.Status.PUBLISHED,
            edited_at=item.edited_at,
            edited_by_moderator=item.edited_by_moderator,
            deleted_at=item.deleted_at,
            featured_at=item.featured_at,
        )
        if item.body != node.body:
            changes.update(body=item.body, body_html=_html(item.body))
        history = node.versions.order_by("created_at", "pk")
        stored = [ImportedVersion(v.body, v.created_at) for v in history]
        if stored != item.versions:
            # Unchanged history is kept as it is, with who replaced each text.
            node.versions.all().delete()
            _store_versions([(node, item.versions)])
    else:
        baseline = Value(item.like_count)
        if not lower_likes:
            baseline = Greatest(baseline, F("like_baseline"))
        changes.update(like_baseline=baseline, like_count=local_likes + baseline)
        if takes_imported_text(node) and item.body != node.body:
            changes.update(body=item.body, body_html=render_comment(item.body))
        if (
            item.status not in (None, Comment.Status.PUBLISHED)
            and node.status == Comment.Status.PUBLISHED
            and not moderated
        ):
            changes["status"] = item.status
    Comment.objects.filter(pk=node.pk).update(**changes)
