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

from comments.integrity import all_problems as integrity_problems
from comments.models import Comment, Like
from comments.services import (
    CommentError,
    ImportedComment,
    comment_create,
    comment_import_thread,
    like_toggle,
)
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


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_imports_written_whole_while_readers_post_keep_every_tree_consistent(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    article = ArticleFactory()
    readers = [UserFactory() for _ in range(4)]
    comment_create(article=article, author=readers[0], body="seed")
    importers, rounds, threads_per_round = 2, 8, 3
    start = threading.Barrier(len(readers) + importers)
    failures: list[BaseException] = []
    posted = {"count": 1}
    posted_lock = threading.Lock()

    def imported_thread(key: str) -> ImportedComment:
        # key, two replies, and a chain of six under the first of them
        root = ImportedComment(key, "Ana", "Imported", 2)
        chain = ImportedComment(f"{key}.1", "Ben", "Reply", 0)
        root.children = [chain, ImportedComment(f"{key}.2", "Cy", "Other", 0)]
        for depth in range(6):
            chain.children = [ImportedComment(f"{key}.1.{depth}", "Di", "Deeper", 0)]
            chain = chain.children[0]
        return root

    def importer(number: int) -> None:
        try:
            start.wait(timeout=30)
            for round_ in range(rounds):
                comments = [
                    imported_thread(f"i{number}-{round_}-{index}")
                    for index in range(threads_per_round)
                ]
                comment_import_thread(article=article, comments=comments)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    def reader(number: int) -> None:
        rng = random.Random(number)
        made = 0
        try:
            start.wait(timeout=30)
            for step in range(25):
                ids = list(Comment.objects.filter(article=article).values_list("pk", flat=True))
                parent = None
                if rng.random() < 0.7:
                    parent = Comment.objects.get(pk=rng.choice(ids))
                try:
                    comment_create(
                        article=article, author=readers[number], body=f"r{number} {step}",
                        parent=parent,
                    )
                except CommentError:
                    continue  # the depth cap; nothing written
                made += 1
        except BaseException as error:
            failures.append(error)
        finally:
            with posted_lock:
                posted["count"] += made
            connection.close()

    workers = [threading.Thread(target=importer, args=(n,)) for n in range(importers)]
    workers += [threading.Thread(target=reader, args=(n,)) for n in range(len(readers))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert not any(worker.is_alive() for worker in workers)
    assert failures == []
    imported = importers * rounds * threads_per_round * 9
    assert Comment.objects.exclude(import_key="").count() == imported
    assert Comment.objects.count() == imported + posted["count"]
    assert Comment.objects.filter(import_key="", level__gt=0).exists()
    assert tree_problems() == []
    assert integrity_problems() == []
    before = _tree_snapshot()
    Comment.objects.rebuild()
    assert _tree_snapshot() == before
