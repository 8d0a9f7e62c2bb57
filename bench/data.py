"""Synthetic threads of realistic shape for benchmarks.

About 10% of comments are top-level, replies go up to depth 8 and likes are
spread unevenly (a few comments collect most of them). Rows are bulk-inserted
with their MPTT fields computed here: this is test data for a throwaway
database, built far faster than through the services (which the write
benchmark measures separately).
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, Like

WORDS = (
    "the policy talks sanctions north korea washington diplomacy pyongyang leader "
    "missile parade food economy army border summit pressure regime review deterrence "
    "patience negotiations incentives recovery analysts said would could think point"
).split()


def make_users(count: int) -> list:
    User = get_user_model()
    existing = list(User.objects.filter(username__startswith="bench-reader-").order_by("id"))
    missing = [
        User(username=f"bench-reader-{i}", email=f"bench-reader-{i}@example.com")
        for i in range(len(existing), count)
    ]
    for user in missing:
        user.set_unusable_password()
    User.objects.bulk_create(missing)
    return list(User.objects.filter(username__startswith="bench-reader-").order_by("id")[:count])


def _text(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(1, 4)):
        words = rng.choices(WORDS, k=rng.randint(6, 22))
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def build_thread(*, article: Article, size: int, users: list, seed: int = 1, max_depth: int = 8) -> None:
    """Insert `size` comments on `article` with likes; MPTT fields computed here."""
    rng = random.Random(seed)
    roots = max(1, size // 10)
    parents: list[int | None] = [None] * roots
    depth = [0] * roots
    for i in range(roots, size):
        # Replies favour recent, shallow comments, as real threads do.
        while True:
            p = int(rng.triangular(0, i, i * 0.8))
            p = min(p, i - 1)
            if depth[p] < max_depth:
                break
        parents.append(p)
        depth.append(depth[p] + 1)

    children: list[list[int]] = [[] for _ in range(size)]
    for i, p in enumerate(parents):
        if p is not None:
            children[p].append(i)

    start_tree = (Comment.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0) + 1
    lft = [0] * size
    rght = [0] * size
    tree = [0] * size
    for r in range(roots):
        counter = 1
        stack = [(r, False)]
        while stack:
            node, done = stack.pop()
            if done:
                rght[node] = counter
                counter += 1
                continue
            lft[node] = counter
            tree[node] = start_tree + r
            counter += 1
            stack.append((node, True))
            for child in reversed(children[node]):
                stack.append((child, False))

    base = article.published_at + timedelta(minutes=5)
    now = timezone.now()
    span = max((now - base).total_seconds(), 60)
    times = sorted(base + timedelta(seconds=rng.uniform(0, span)) for _ in range(size))
    # Likes: a Pareto-like spread; most comments get none or one.
    like_counts = [min(len(users), int(rng.paretovariate(1.3)) - 1) for _ in range(size)]

    rows = []
    for i in range(size):
        text = _text(rng)
        rows.append(
            Comment(
                article=article,
                author=users[rng.randrange(len(users))],
                body=text,
                body_html=f"<p>{text}</p>",
                created_at=times[i] if parents[i] is None else max(times[i], times[parents[i]]),
                tree_id=tree[i],
                lft=lft[i],
                rght=rght[i],
                level=depth[i],
                like_count=like_counts[i],
            )
        )
    # Parents must exist before children point at them: insert by level.
    for level in range(max_depth + 1):
        batch = [(i, rows[i]) for i in range(size) if depth[i] == level]
        for i, row in batch:
            if parents[i] is not None:
                row.parent_id = rows[parents[i]].pk
        Comment.objects.bulk_create([row for _, row in batch], batch_size=2000)

    likes = []
    for i, count in enumerate(like_counts):
        for user in rng.sample(users, count):
            likes.append(Like(user=user, comment_id=rows[i].pk, article_id=article.pk))
    Like.objects.bulk_create(likes, batch_size=5000)
