"""Many readers writing to one story's threads at once leave every tree intact.

Each worker thread has its own database connection, so the writes really
interleave in PostgreSQL; the locks in comments.services.locks are what keep
the nested-set numbers right (their docstring shows how they break without).
"""

import random
import threading

import pytest
from django.db import connection
from django.db.models import Count

from comments.models import Comment, Like
from comments.services import CommentError, comment_create, like_toggle
from tests.comments.conftest import tree_problems
from tests.factories import ArticleFactory, UserFactory

WORKERS = 12
OPERATIONS_PER_WORKER = 30
TREE_FIELDS = ("id", "tree_id", "lft", "rght", "level", "parent_id")


def _tree_snapshot():
    return list(Comment.objects.order_by("id").values_list(*TREE_FIELDS))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_comments_replies_and_likes_keep_every_tree_consistent(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    twelve_writers_keep_every_tree_consistent()


def twelve_writers_keep_every_tree_consistent() -> None:
    """WORKERS threads, each with its own connection (made from the default
    database's settings), comment, reply and like at once; then every tree,
    count and counter is checked. Also run through PgBouncer
    (tests/reliability/test_pgbouncer.py)."""
    article = ArticleFactory()
    readers = [UserFactory() for _ in range(WORKERS)]
    # A few threads exist before the rush, so replies have somewhere to go at once.
    for index in range(3):
        comment_create(article=article, author=readers[index], body=f"seed {index}")

    start = threading.Barrier(WORKERS)
    created_lock = threading.Lock()
    created = {"count": 3}
    failures: list[BaseException] = []

    def worker(number: int) -> None:
        rng = random.Random(number)  # reproducible choices per worker
        reader = readers[number]
        made = 0
        try:
            start.wait(timeout=30)
            for step in range(OPERATIONS_PER_WORKER):
                ids = list(Comment.objects.filter(article=article).values_list("pk", flat=True))
                roll = rng.random()
                if roll < 0.25:
                    comment_create(article=article, author=reader, body=f"w{number} s{step}")
                    made += 1
                elif roll < 0.75:
                    parent = Comment.objects.get(pk=rng.choice(ids))
                    try:
                        comment_create(
                            article=article, author=reader, body=f"w{number} s{step}", parent=parent
                        )
                    except CommentError:
                        # Only the depth cap can refuse here; nothing was written.
                        continue
                    made += 1
                else:
                    target = Comment.objects.get(pk=rng.choice(ids))
                    if target.author_id != reader.pk:  # nobody likes their own
                        like_toggle(comment=target, user=reader)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            with created_lock:
                created["count"] += made
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert failures == []

    # Every successful create is one row, and there were a few hundred writes.
    assert Comment.objects.count() == created["count"]
    assert created["count"] + Like.objects.count() > 200

    # No two threads share a tree, and every tree's numbers match its parent links.
    shared = Comment.objects.filter(parent=None).values("tree_id").annotate(n=Count("id"))
    assert [row for row in shared if row["n"] > 1] == []
    assert tree_problems() == []
    assert Comment.objects.filter(level__gt=0).count() > 0

    # Rebuilding from the parent links alone would change nothing.
    before = _tree_snapshot()
    Comment.objects.rebuild()
    assert _tree_snapshot() == before

    # Counters agree with the rows they count.
    counts = Comment.objects.annotate(like_rows=Count("likes")).values_list(
        "like_count", "like_baseline", "like_rows"
    )
    assert [(count, base + likes) for count, base, likes in counts if count != base + likes] == []
