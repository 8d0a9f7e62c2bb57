"""Copying a story's comment thread from its original page."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles.models import Article
from comments.exceptions import CommentError
from comments.formatting import render_comment
from comments.models import Comment
from comments.services.locks import lock_new_tree, lock_parent, send_thread_changed

_IMPORT_KEY_MAX = Comment._meta.get_field("import_key").max_length


@dataclass
class ImportedComment:
    """One comment of a thread copied from a story's original page."""

    key: str
    author_name: str
    body: str
    like_count: int
    created_at: datetime | None = None
    children: list["ImportedComment"] = field(default_factory=list)


def _walk(comments: list[ImportedComment]):
    """(item, parent item) pairs in document order, without recursion."""
    stack = [(item, None) for item in reversed(comments)]
    while stack:
        item, parent = stack.pop()
        yield item, parent
        stack.extend((child, item) for child in reversed(item.children))


def comment_import_thread(*, article: Article, comments: list[ImportedComment]) -> int:
    """Create or update imported comments on `article`; return how many were new.

    Comments are matched by `key` (stored as import_key), so importing the
    same page again creates nothing and moves nothing: it only refreshes the
    author name, date, like baseline and text (unless the text was deleted
    or edited here). like_count is always the baseline plus the likes
    readers have given here. Works on closed stories too.
    """
    items = list(_walk(comments))
    keys = [item.key for item, _parent in items]
    if any(not key or len(key) > _IMPORT_KEY_MAX for key in keys):
        raise CommentError(
            f"Every imported comment needs a key of 1 to {_IMPORT_KEY_MAX} characters."
        )
    if len(set(keys)) != len(keys):
        raise CommentError("Imported comment keys must be unique within a story.")
    if any(item.like_count < 0 for item, _parent in items):
        raise CommentError("Imported like counts cannot be negative.")

    created = 0
    with transaction.atomic():
        # Taken first and once: the lock order in comments.services.locks.
        lock_new_tree()
        existing = {
            c.import_key: c for c in Comment.objects.filter(article=article, import_key__in=keys)
        }
        nodes: dict[str, Comment] = {}
        for position, (item, parent_item) in enumerate(items, start=1):
            node = existing.get(item.key)
            if node is None:
                parent = None if parent_item is None else lock_parent(nodes[parent_item.key])
                node = Comment(
                    article=article,
                    author_name=item.author_name,
                    body=item.body,
                    body_html=render_comment(item.body),
                    # An undated page: after the story, in page order, never "today".
                    created_at=item.created_at
                    or min(article.published_at + timedelta(minutes=position), timezone.now()),
                    like_baseline=item.like_count,
                    like_count=item.like_count,
                    import_key=item.key,
                )
                Comment.objects.insert_node(node, parent, save=True, refresh_target=False)
                created += 1
            else:
                changes = {
                    "author_name": item.author_name,
                    "like_baseline": item.like_count,
                    # Expressed on the row itself so a like given while we
                    # import is neither lost nor counted twice.
                    "like_count": F("like_count") - F("like_baseline") + item.like_count,
                }
                if item.created_at is not None:
                    changes["created_at"] = item.created_at
                # Words deleted or corrected here are not brought back.
                if not node.is_deleted and node.edited_at is None:
                    changes.update(body=item.body, body_html=render_comment(item.body))
                Comment.objects.filter(pk=node.pk).update(**changes)
            nodes[item.key] = node
        send_thread_changed(article.pk)
    return created
