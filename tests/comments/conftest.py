"""Fixtures and tree assertions shared by the comment tests."""

from collections import defaultdict

import pytest

from comments.models import Comment
from comments.services import comment_create
from comments.signals import thread_changed
from tests.factories import UserFactory


def _label(comment: Comment, labels: dict[int, str] | None) -> str:
    if labels and comment.pk in labels:
        return labels[comment.pk]
    return comment.import_key or comment.body or f"#{comment.pk}"


def tree_shape(article, labels: dict[int, str] | None = None) -> str:
    """The article's comment trees as compact text, one "label parent level" line
    per comment in (tree_id, lft) order; "-" is no parent.

    A comment is labelled by `labels[pk]`, else its import key, else its body.
    """
    comments = list(Comment.objects.filter(article=article).order_by("tree_id", "lft"))
    by_pk = {c.pk: c for c in comments}
    lines = []
    for c in comments:
        parent = _label(by_pk[c.parent_id], labels) if c.parent_id else "-"
        lines.append(f"{_label(c, labels)} {parent} {c.level}")
    return "\n".join(lines)


def tree_problems(queryset=None) -> list[str]:
    """Every way the nested-set numbers disagree with the parent links.

    Empty when each tree has exactly one root numbered 1..2n, every node has
    lft < rght, rght - lft + 1 == 2 * its subtree size, its level is its
    depth, and each child nests inside its parent without overlapping its
    siblings.
    """
    nodes = list(queryset if queryset is not None else Comment.objects.all())
    problems = []
    by_tree: dict[int, list[Comment]] = defaultdict(list)
    for node in nodes:
        by_tree[node.tree_id].append(node)
    children: dict[int | None, list[Comment]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)

    def size(node):
        return 1 + sum(size(child) for child in children[node.pk])

    for tree_id, members in by_tree.items():
        roots = [n for n in members if n.parent_id is None]
        if len(roots) != 1:
            problems.append(f"tree {tree_id} has {len(roots)} roots")
            continue
        root = roots[0]
        if root.lft != 1 or root.rght != 2 * len(members):
            problems.append(f"tree {tree_id} root spans {root.lft}..{root.rght}")
        for node in members:
            if node.lft >= node.rght:
                problems.append(f"{node.pk}: lft {node.lft} >= rght {node.rght}")
            if node.rght - node.lft + 1 != 2 * size(node):
                problems.append(f"{node.pk}: span does not match its subtree size")
            kids = sorted(children[node.pk], key=lambda n: n.lft)
            for kid in kids:
                if kid.tree_id != node.tree_id:
                    problems.append(f"{kid.pk}: in tree {kid.tree_id}, parent in {node.tree_id}")
                if not node.lft < kid.lft < kid.rght < node.rght:
                    problems.append(f"{kid.pk}: not nested inside its parent {node.pk}")
                if kid.level != node.level + 1:
                    problems.append(f"{kid.pk}: level {kid.level} under level {node.level}")
            for left, right in zip(kids, kids[1:]):
                if left.rght >= right.lft:
                    problems.append(f"{left.pk} and {right.pk} overlap")
    return problems


@pytest.fixture
def post(db, article):
    """post("text", parent=..., author=...): a comment created through the service."""

    def _post(body: str, *, parent: Comment | None = None, author=None, on=None) -> Comment:
        return comment_create(
            article=on or article, author=author or UserFactory(), body=body, parent=parent
        )

    return _post


@pytest.fixture
def thread_changes():
    """Article ids announced by `thread_changed`, in order."""
    seen: list[int] = []

    def receiver(sender, article_id, **kwargs):
        seen.append(article_id)

    thread_changed.connect(receiver, weak=False)
    yield seen
    thread_changed.disconnect(receiver)
