"""Reads of the conversation under a story, in a fixed number of queries.

A page of a thread is three queries whatever its size: the page's top-level
comments (with the totals the page needs as window/sub-query annotations),
all their descendants ordered by (tree_id, lft) with the author joined, and
the reader's likes. The result is a flat list of `CommentNode`, read as
plain rows, that `comments.rendering` prints in one loop without touching
the ORM (see DESIGN.md "Reads"); building those nodes is
`comments.selectors.nodes`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from comments.models import Comment, Like
from comments.selectors.nodes import (
    ROW_COLUMNS,
    CommentNode,
    CommentRow,
    build_nodes,
    comment_rows,
    context_nodes,
    like_label,
)
from comments.visibility import EVERYONE, Reader, readable, reader_of

__all__ = [
    "CommentNode",
    "RootRow",
    "Subtree",
    "clean_sort",
    "comment_page_number",
    "continued_under",
    "comment_subtree",
    "like_label",
    "liked_ids",
    "thread_nodes",
    "thread_roots",
]

SORTS = {
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    "liked": ("-like_count", "created_at", "id"),
}
DEFAULT_SORT = "oldest"


def clean_sort(value: str | None) -> str:
    return value if value in SORTS else DEFAULT_SORT


@dataclass(slots=True)
class Subtree:
    """A comment with its replies, and its parent chain for context."""

    comment: Comment
    ancestors: list[CommentNode]
    nodes: list[CommentNode]
    liked_ids: frozenset[int] = frozenset()


def _public_count_query(article_id) -> Subquery:
    return Subquery(
        Comment.objects.filter(readable(EVERYONE), article_id=article_id)
        .order_by()
        .values("article_id")
        .annotate(n=Count("id"))
        .values("n"),
        output_field=IntegerField(),
    )


def _featured_count_query(article_id) -> Subquery:
    """How many of the story's comments are editors' picks every reader may read."""
    return Subquery(
        Comment.objects.filter(readable(EVERYONE), article_id=article_id, featured_at__isnull=False)
        .order_by()
        .values("article_id")
        .annotate(n=Count("id"))
        .values("n"),
        output_field=IntegerField(),
    )


def _visible_roots(*, article, user):
    """Top-level comments of `article` whose tree holds something `user` may read."""
    return _roots_of(article, reader=reader_of(user))


def _readable_replies(reader: Reader, **where) -> Subquery:
    """How many comments below a thread's top this reader may read (`where`:
    which, against the outer row)."""
    return Subquery(
        Comment.objects.filter(readable(reader), level__gt=0, **where)
        .order_by()
        .values("tree_id")
        .annotate(n=Count("id"))
        .values("n"),
        output_field=IntegerField(),
    )


def _roots_of(article, *, reader: Reader):
    return Comment.objects.filter(article=article, level=0).filter(
        Exists(Comment.objects.filter(readable(reader), tree_id=OuterRef("tree_id")))
    )


# Stand-ins for what changes between runs of a compiled query: in range for
# the columns they stand for, and equal to no constant the queries hold.
_ARTICLE = 2_000_000_001
_READER = 2_000_000_002
_DEPTH = 2_000_000_003
_TREES = 2_000_000_004


class _CompiledQuery:
    """A queryset's SQL, compiled once with stand-in values, run with real ones.

    Building and compiling the thread's querysets takes longer than running
    them (2-3 ms each against 1-5 ms on the benchmark machine). Their SQL
    depends only on the sort and the kind of reader, so it is compiled once
    per process, and each run swaps the stand-ins for this page's values.
    Rows come straight from the cursor, without the ORM's `from_db_value`
    converters: none of the columns read this way has one on PostgreSQL.
    """

    def __init__(self, queryset, *, suffix: str = ""):
        sql, params = queryset.query.sql_with_params()
        self.sql = sql + suffix
        self.params = tuple(params)
        self.using = queryset.db

    def rows(self, values: dict[int, object], extra: tuple = ()) -> list[tuple]:
        """The rows as the cursor gives them (callers name them)."""
        params = [values.get(param, param) for param in self.params]
        params.extend(extra)
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()


class RootRow(NamedTuple):
    """A top-level comment of the page, with the page's totals."""

    id: int
    tree_id: int
    thread_total: int  # threads with something this reader may read
    comment_total: int  # comments every reader may read
    reply_total: int  # replies in this thread this reader may read, at any depth
    featured_total: int  # editors' picks every reader may read


@functools.cache
def _roots_query(sort: str, *, is_moderator: bool, signed_in: bool) -> _CompiledQuery:
    """The page's roots with the page totals; LIMIT and OFFSET come last."""
    reader = Reader(is_moderator, _READER if signed_in else None)
    queryset = (
        _roots_of(_ARTICLE, reader=reader)
        .order_by(*SORTS[sort])
        .annotate(
            thread_total=Window(Count("id")),
            comment_total=Coalesce(_public_count_query(_ARTICLE), 0),
            reply_total=Coalesce(_readable_replies(reader, tree_id=OuterRef("tree_id")), 0),
            featured_total=Coalesce(_featured_count_query(_ARTICLE), 0),
        )
        .values_list(
            "id", "tree_id", "thread_total", "comment_total", "reply_total", "featured_total"
        )
    )
    return _CompiledQuery(queryset, suffix=" LIMIT %s OFFSET %s")


@functools.cache
def _thread_query() -> _CompiledQuery:
    """Every comment of some threads of a story down to a depth, in tree order."""
    queryset = (
        Comment.objects.filter(
            # One array parameter, so the SQL is the same for any number of
            # threads; "= ANY(array)" uses the tree_id index, where
            # "IN (SELECT unnest(array))" was planned as a scan of the table.
            RawSQL(
                f'"{Comment._meta.db_table}"."tree_id" = ANY(%s::integer[])',
                (_TREES,),
                output_field=BooleanField(),
            ),
            article_id=_ARTICLE,
            level__lt=_DEPTH,
        )
        .order_by("tree_id", "lft")
        .values_list(*ROW_COLUMNS)
    )
    return _CompiledQuery(queryset)


def thread_roots(*, article, user, page=1, sort=DEFAULT_SORT, include_hidden_for=None):
    """The page's top-level comments with the page totals, in one query.

    Returns (RootRow list, number, num_pages, thread_count, comment_count).
    A page past the end falls back to the last page.
    """
    sort = clean_sort(sort)
    reader = include_hidden_for if include_hidden_for is not None else user
    per_page = settings.NEWSROOM_COMMENT_THREADS_PER_PAGE
    try:
        page = max(1, int(page))
    except (TypeError, ValueError):
        page = 1
    is_moderator, user_id = reader_of(reader)
    query = _roots_query(sort, is_moderator=is_moderator, signed_in=user_id is not None)
    rows = [
        RootRow._make(row)
        for row in query.rows(
            {_ARTICLE: article.pk, _READER: user_id}, (per_page, (page - 1) * per_page)
        )
    ]
    if not rows and page > 1:
        # Someone followed a stale link past the end: show the last page.
        total = _visible_roots(article=article, user=reader).count()
        last = max(1, -(-total // per_page))
        return thread_roots(
            article=article, user=user, page=last, sort=sort, include_hidden_for=include_hidden_for
        )
    thread_count = rows[0].thread_total if rows else 0
    count = rows[0].comment_total if rows else 0
    num_pages = max(1, -(-thread_count // per_page))
    return rows, page, num_pages, thread_count, count


def thread_nodes(*, article, roots, user) -> list[CommentNode]:
    """All visible comments of the given root rows, in page order, as nodes (one query)."""
    if not roots:
        return []
    depth = settings.NEWSROOM_COMMENT_DISPLAY_DEPTH
    tree_ids = [root.tree_id for root in roots]
    rows = list(
        map(
            CommentRow._make,
            _thread_query().rows({_ARTICLE: article.pk, _TREES: tree_ids, _DEPTH: depth}),
        )
    )
    if tree_ids != sorted(tree_ids):
        # The page's order is not the table's: regroup the threads.
        by_tree: dict[int, list[CommentRow]] = {}
        for row in rows:
            by_tree.setdefault(row.tree_id, []).append(row)
        rows = [row for tree_id in tree_ids for row in by_tree.get(tree_id, ())]
    nodes = build_nodes(rows, user=user, base_level=0)
    # "N replies" counts the whole thread, not only what the display depth shows.
    replies = {root.id: root.reply_total for root in roots}
    for node in nodes:
        if node.level == 0:
            node.reply_count = replies.get(node.id, node.reply_count)
    return nodes


def liked_ids(*, user, comment_ids) -> frozenset[int]:
    """Ids among `comment_ids` of the comments `user` liked; one query."""
    if user is None or not user.is_authenticated:
        return frozenset()
    likes = Like.objects.filter(user_id=user.pk, comment_id__in=list(comment_ids))
    return frozenset(likes.values_list("comment_id", flat=True))


def comment_page_number(*, comment, sort=DEFAULT_SORT, user=None) -> int:
    """The thread page (1-based) on which `comment` appears in `sort` order."""
    sort = clean_sort(sort)
    root = comment if comment.level == 0 else Comment.objects.get(
        tree_id=comment.tree_id, level=0
    )
    if sort == "oldest":
        before = Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, id__lt=root.pk)
    elif sort == "newest":
        before = Q(created_at__gt=root.created_at) | Q(created_at=root.created_at, id__gt=root.pk)
    else:
        before = (
            Q(like_count__gt=root.like_count)
            | Q(like_count=root.like_count, created_at__lt=root.created_at)
            | Q(like_count=root.like_count, created_at=root.created_at, id__lt=root.pk)
        )
    position = (
        _visible_roots(article=comment.article_id, user=user).filter(before).exclude(pk=root.pk)
    ).count()
    return position // settings.NEWSROOM_COMMENT_THREADS_PER_PAGE + 1


def continued_under(comment) -> Comment | None:
    """The comment whose "Continue this thread" page shows `comment`, or None
    when the story page shows it.

    The story page shows levels 0 to DISPLAY_DEPTH - 1; a comment at its last
    level with replies links to its own page, which shows DISPLAY_DEPTH levels
    from it; and so on down. So a comment deeper than the story page shows is
    on the page of its ancestor at the last multiple of DISPLAY_DEPTH - 1 above it.
    """
    step = settings.NEWSROOM_COMMENT_DISPLAY_DEPTH - 1
    if comment.level <= step or step < 1:
        return None
    level = (comment.level - 1) // step * step
    # The comment's place in its tree is read in the same statement: another
    # reader's reply may have renumbered the tree since `comment` was read.
    now = Comment.objects.filter(pk=comment.pk)
    return (
        Comment.objects.only("id")
        .filter(
            tree_id=comment.tree_id,
            level=level,
            lft__lt=Subquery(now.values("lft")),
            rght__gt=Subquery(now.values("rght")),
        )
        .first()
    )


def comment_subtree(*, comment, user) -> Subtree:
    """`comment` with its replies (to the display depth) and its parent chain.

    Four queries: ancestors, the subtree, the count of its replies at any
    depth, the reader's likes among them.
    """
    depth = settings.NEWSROOM_COMMENT_DISPLAY_DEPTH
    ancestors = comment_rows(comment.get_ancestors())
    subtree = comment_rows(
        Comment.objects.filter(
            tree_id=comment.tree_id,
            lft__gte=comment.lft,
            rght__lte=comment.rght,
            level__lt=comment.level + depth,
        ).order_by("lft")
    )
    # The parent chain is context, printed flat; hidden ancestors as placeholders.
    chain = context_nodes(ancestors, user=user)
    nodes = build_nodes(subtree, user=user, base_level=comment.level)
    if nodes and nodes[0].id == comment.pk:
        # "N replies" counts the whole subtree, not only what the depth shows.
        nodes[0].reply_count = Comment.objects.filter(
            readable(reader_of(user)),
            tree_id=comment.tree_id,
            lft__gt=comment.lft,
            rght__lt=comment.rght,
        ).count()
    ids = [n.id for n in nodes] + [n.id for n in chain]
    return Subtree(
        comment=comment,
        ancestors=chain,
        nodes=nodes,
        liked_ids=liked_ids(user=user, comment_ids=ids),
    )
