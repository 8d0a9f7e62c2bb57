"""Build comment trees fast for read-side tests.

Going through `comment_create` costs a locked insert per comment; a 10,000
comment thread would take minutes. Here the MPTT fields (tree_id, lft, rght,
level) are computed in Python and the rows bulk-inserted, which is exactly
what a consistent tree looks like in the table.

    thread = build(article, [
        C("first", [C("reply", [C("deeper")])]),
        C("second"),
    ])
    thread["first"]  # the Comment row
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import Max
from django.utils import timezone
from django.utils.html import escape

from comments.models import Comment, CommentVersion, Flag, Like


@dataclass
class C:
    """One comment of a tree to build; `key` doubles as its body text."""

    key: str
    children: list[C] = field(default_factory=list)
    author: object = None
    author_name: str = ""
    status: str = Comment.Status.PUBLISHED
    deleted: bool = False
    likes: int = 0
    edited: bool = False
    created_at: datetime | None = None


def build(article, roots: list[C], *, start: datetime | None = None) -> dict[str, Comment]:
    """Insert the trees under `article`; return the rows by key.

    Comments get increasing creation times in the order given (depth first),
    one minute apart, unless a node sets `created_at`.
    """
    start = start or timezone.now() - timedelta(days=2)
    next_tree = (Comment.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
    rows: list[Comment] = []
    keys: list[str] = []
    parents: list[int | None] = []
    clock = [0]

    def visit(node: C, level: int, tree_id: int, lft: int, parent_index: int | None) -> int:
        index = len(rows)
        clock[0] += 1
        created = node.created_at or start + timedelta(minutes=clock[0])
        row = Comment(
            article=article,
            author=node.author,
            author_name=node.author_name or ("" if node.author else f"Reader {node.key}"),
            body=node.key,
            body_html=f"<p>{escape(node.key)}</p>",
            status=node.status,
            created_at=created,
            edited_at=created + timedelta(minutes=1) if node.edited else None,
            deleted_at=created + timedelta(minutes=2) if node.deleted else None,
            like_baseline=node.likes,
            like_count=node.likes,
            tree_id=tree_id,
            level=level,
            lft=lft,
        )
        rows.append(row)
        keys.append(node.key)
        parents.append(parent_index)
        right = lft + 1
        for child in node.children:
            right = visit(child, level + 1, tree_id, right, index) + 1
        row.rght = right
        return right

    for offset, root in enumerate(roots):
        visit(root, 0, next_tree + offset, 1, None)

    # Insert level by level so every parent has its id before its children.
    by_level: dict[int, list[int]] = {}
    for index, row in enumerate(rows):
        by_level.setdefault(row.level, []).append(index)
    for level in sorted(by_level):
        batch = by_level[level]
        for index in batch:
            parent_index = parents[index]
            rows[index].parent_id = rows[parent_index].pk if parent_index is not None else None
        Comment.objects.bulk_create([rows[i] for i in batch], batch_size=2000)
    return dict(zip(keys, rows, strict=True))


def wide_thread(article, *, total: int, roots: int, depth: int = 8) -> list[Comment]:
    """`total` comments spread over `roots` threads, each a mix of chains and siblings.

    Every thread nests up to `depth` levels, so deep replies beyond the
    display depth are part of any big thread.
    """
    per_root = total // roots
    trees = []
    for r in range(roots):
        count = per_root if r < roots - 1 else total - per_root * (roots - 1)
        root = C(f"t{r}")
        made = 1
        stack = [root]
        while made < count:
            node = C(f"t{r}-{made}")
            parent = stack[-1]
            parent.children.append(node)
            made += 1
            if len(stack) < depth:
                stack.append(node)
            else:
                stack = stack[:1]
        trees.append(root)
    return list(build(article, trees).values())


def comment_state(comment: Comment) -> tuple:
    """What a refused action must leave unchanged: the comment and every table it touches."""
    comment.refresh_from_db()
    return (
        comment.body,
        comment.status,
        comment.deleted_at,
        comment.like_count,
        Comment.objects.count(),
        Like.objects.count(),
        Flag.objects.count(),
        CommentVersion.objects.count(),
    )


class Page(NamedTuple):
    """One page of a story's thread as the story page reads it."""

    nodes: list
    number: int
    num_pages: int
    thread_count: int
    comment_count: int


def page_of(*, article, user, page: int = 1, sort: str = "oldest") -> Page:
    """The page's roots, then their nodes: the two reads the story page makes."""
    from comments.selectors import thread_nodes, thread_roots

    roots, number, num_pages, thread_count, count = thread_roots(
        article=article, user=user, page=page, sort=sort
    )
    nodes = thread_nodes(article=article, roots=roots, user=user)
    return Page(nodes, number, num_pages, thread_count, count)
