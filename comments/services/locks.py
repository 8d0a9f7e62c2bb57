"""Locks that keep django-mptt trees consistent under concurrent writes.

django-mptt computes nested-set numbers (tree_id, lft, rght) from values it
read a moment earlier, and PostgreSQL's READ COMMITTED does not stop two
transactions from acting on the same stale reading:

    two new threads at once, no lock:
      A: SELECT max(tree_id) -> 7        B: SELECT max(tree_id) -> 7
      A: INSERT root, tree_id 8          B: INSERT root, tree_id 8
      => two unrelated threads share tree 8, both numbered 1..2.

    thread: root 1..4 with one reply R 2..3; A replies to R while B replies
    to the root, both having read their parent before either writes:
      A: shift everything right of 2 by 2; INSERT A at 3..4; COMMIT
         => root 1..6, R 2..5, A 3..4
      B: (read root rght=4) shift everything right of 3 by 2; INSERT B 4..5
         => root 1..8, R 2..7, A 3..6, B 4..5
      => B now sits inside A's numbers although its parent is the root:
         the thread renders in the wrong order and later inserts compound it.

`lock_new_tree()` serialises tree_id allocation with a transaction-scoped
advisory lock, and `lock_thread()` row-locks a thread's root so the replies
to one thread are written one at a time, each reading its parent after the
previous writer committed. Threads do not block each other. Measured with
the concurrency test (tests/comments/test_concurrency.py, 12 writers): with
both locks disabled every run gave threads a shared tree_id; with only the
thread lock disabled every run left overlapping lft/rght ranges; with them,
no run has.

Lock order, for anything that takes several: the new-tree lock first, then
thread locks. A reply never takes the new-tree lock, so no cycle can form.
"""

from django.db import connection, transaction

from comments.exceptions import CommentError
from comments.models import Comment
from comments.signals import thread_changed

# Key of the advisory lock that serialises tree_id allocation ("NWCT").
TREE_ALLOCATION_LOCK_KEY = 0x4E574354


def _require_transaction(what: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            f"{what} must run inside transaction.atomic()."
        )


def lock_new_tree() -> None:
    """Hold the tree_id allocation lock until the current transaction ends.

    Take it before saving a new root node (a top-level comment, or a node
    moved to become a root): mptt gives it max(tree_id) + 1.
    """
    _require_transaction("lock_new_tree()")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_ALLOCATION_LOCK_KEY])


def lock_thread(*, tree_id: int) -> Comment | None:
    """Row-lock the root of thread `tree_id` until the transaction ends.

    Every write that renumbers a thread (reply, move, delete of a node)
    takes this first. Returns the locked root, or None if the thread is gone.
    """
    _require_transaction("lock_thread()")
    return Comment.objects.select_for_update().filter(tree_id=tree_id, parent=None).first()


def lock_parent(parent: Comment) -> Comment:
    """Lock the parent's thread and return the parent as it is now.

    Its lft/rght may have moved while we waited for the lock, so it is read
    again; if it was moved to another thread meanwhile, lock that one.
    """
    tree_id = parent.tree_id
    for _attempt in range(3):
        lock_thread(tree_id=tree_id)
        current = Comment.objects.filter(pk=parent.pk).first()
        if current is None:
            raise CommentError("The comment you replied to no longer exists.")
        if current.tree_id == tree_id:
            return current
        tree_id = current.tree_id
    raise CommentError("This conversation is being rearranged; please try again.")


def send_thread_changed(article_id: int) -> None:
    transaction.on_commit(lambda: thread_changed.send(sender=Comment, article_id=article_id))
