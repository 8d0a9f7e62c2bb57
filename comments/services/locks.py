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

`insert_comment()` is how comment_create writes: the lock, the renumbering
and the insert in one round trip, so a busy thread's lock is held for as
short a time as the database allows (see its docstring).
`insert_new_threads()` is how an import writes whole new threads: numbered
in memory by the same rule and inserted in one statement under the
new-tree lock.
"""

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_save, pre_save

from comments.exceptions import CommentError
from comments.models import Comment
from comments.signals import thread_changed

# Key of the advisory lock that serialises tree_id allocation ("NWCT").
TREE_ALLOCATION_LOCK_KEY = 0x4E574354
# Why a held comment (awaiting moderation) takes no replies yet.
HELD_PARENT_MESSAGE = (
    "This comment is awaiting moderation, so it cannot be replied to until a "
    "moderator publishes it."
)


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


# Inserting under the locks --------------------------------------------------


def insert_comment(
    node: Comment, parent: Comment | None, *, imported: bool = False
) -> Comment | None:
    """Save the new comment `node` as the last reply to `parent`, or as a new
    thread when `parent` is None, taking the lock it needs. The one way a
    comment row is inserted (readers' comments and imported ones alike).

    This is what `Comment.objects.insert_node(node, parent, save=True)`
    does (the same numbers, the same renumbering of the nodes after it),
    done in one round trip instead of four: the lock statement, then, as a
    second statement of the same request and so with a fresh snapshot taken
    once the lock is held, the parent read as it is now, the renumbering and
    the insert. The thread stays locked only for that statement and the
    commit; with a busy thread, every writer waits on exactly that.

    Refuses (CommentError) a reply to a comment that is gone, not
    published, or at NEWSROOM_COMMENT_MAX_DEPTH; nothing is written then.
    An `imported` comment keeps the place its source gave it: under a
    parent in any state, at any depth (only a vanished parent is refused).
    Sends pre_save and post_save as Model.save() does. Returns the parent
    as it is now (None for a new thread).
    """
    _require_transaction("insert_comment()")
    using = connection.alias
    pre_save.send(sender=Comment, instance=node, raw=False, using=using, update_fields=None)
    values = [
        field.get_db_prep_save(field.pre_save(node, True), connection) for field in _INSERT_FIELDS
    ]
    with connection.cursor() as cursor:
        if parent is None:
            cursor.execute(_NEW_THREAD_SQL, [TREE_ALLOCATION_LOCK_KEY, *values])
            pk, tree_id = cursor.fetchone()
            _saved(node, pk=pk, parent=None, tree_id=tree_id, lft=1, level=0)
            return None
        tree_id = parent.tree_id
        if imported:
            rules = [list(Comment.Status.values), _NO_DEPTH_LIMIT]
        else:
            rules = [[Comment.Status.PUBLISHED], settings.NEWSROOM_COMMENT_MAX_DEPTH]
        for _attempt in range(3):
            cursor.execute(_REPLY_SQL, [tree_id, parent.pk, tree_id, *rules, *values])
            row = cursor.fetchone()
            if row is None:
                raise CommentError("The comment you replied to no longer exists.")
            *columns, pk = row
            current = Comment.from_db(using, _ATTNAMES, columns)
            if pk is not None:
                _saved(
                    node,
                    pk=pk,
                    parent=current,
                    tree_id=current.tree_id,
                    lft=current.rght,
                    level=current.level + 1,
                )
                # As mptt does after an insert: the parent now spans its new reply.
                current.rght += 2
                Comment._mptt_meta.update_mptt_cached_fields(current)
                return current
            if current.tree_id != tree_id:  # moved to another thread meanwhile
                tree_id = current.tree_id
                continue
            if current.status in Comment.HELD_STATUSES:
                raise CommentError(HELD_PARENT_MESSAGE, code="parent_held")
            if current.status != Comment.Status.PUBLISHED:
                raise CommentError("This comment can no longer be replied to.", code="parent")
            raise CommentError(
                "This conversation is nested too deeply; reply further up the thread.",
                code="too_deep",
            )
    raise CommentError("This conversation is being rearranged; please try again.")


def insert_new_threads(nodes: list[tuple[Comment, Comment | None]]) -> None:
    """Insert new threads whole: `nodes` are (comment, parent) pairs in
    document order, each parent None (a new thread) or a comment earlier in
    the list. Holds the new-tree lock until the transaction ends.

    The numbers are the ones `insert_comment` would give inserting the
    pairs one by one, each as the last reply to its parent (a depth-first
    walk: lft on the way down, rght on the way back up), with new tree ids
    after the highest under the lock; but the lock, the ids, the tree ids
    and the rows take two round trips whatever the number of comments. No other
    thread is touched, and none can see these rows before the commit, so
    only the tree_id allocation needs a lock. Imported comments keep the
    place their source gave them: any depth, under a parent in any state.
    Like `bulk_create`, sends no pre_save or post_save.
    """
    _require_transaction("insert_new_threads()")
    if not nodes:
        return
    with connection.cursor() as cursor:
        cursor.execute(_NEW_THREADS_SQL, [TREE_ALLOCATION_LOCK_KEY, len(nodes)])
        rows = cursor.fetchall()
    ids = [pk for pk, _last_tree_id in rows]
    last_tree_id = rows[0][1]
    children: dict[int, list[Comment]] = {}
    roots = []
    for (node, parent), pk in zip(nodes, ids, strict=True):
        if node.pk is not None:
            raise ValueError("insert_new_threads() inserts new comments only.")
        node.pk = pk
        if parent is None:
            roots.append(node)
        elif parent.pk is None or id(parent) not in children:
            raise ValueError("A parent must come before its replies in insert_new_threads().")
        else:
            children[id(parent)].append(node)
        children[id(node)] = []
    for tree_id, root in enumerate(roots, start=last_tree_id + 1):
        counter = 1
        stack = [(root, None, 0, False)]
        while stack:
            node, parent, level, leaving = stack.pop()
            if leaving:
                node.rght = counter
                counter += 1
                continue
            node.parent, node.tree_id, node.lft, node.level = parent, tree_id, counter, level
            counter += 1
            stack.append((node, parent, level, True))
            stack.extend(
                (child, node, level + 1, False) for child in reversed(children[id(node)])
            )
    Comment.objects.bulk_create([node for node, _parent in nodes])
    for node, _parent in nodes:
        node._mptt_saved = True
        Comment._mptt_meta.update_mptt_cached_fields(node)


def _saved(node: Comment, *, pk, parent, tree_id, lft, level) -> None:
    """Mark `node` as the row just inserted, as Model.save() and mptt would."""
    node.pk = pk
    node.parent = parent
    node.tree_id, node.lft, node.rght, node.level = tree_id, lft, lft + 1, level
    node._state.adding = False
    node._state.db = connection.alias
    node._mptt_saved = True
    Comment._mptt_meta.update_mptt_cached_fields(node)
    post_save.send(
        sender=Comment,
        instance=node,
        created=True,
        update_fields=None,
        raw=False,
        using=connection.alias,
    )


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


_TABLE = _quote(Comment._meta.db_table)
# Columns the database computes (the search vector) are neither written
# nor read back here.
_FIELDS = [field for field in Comment._meta.concrete_fields if not field.generated]
_ATTNAMES = [field.attname for field in _FIELDS]
_TREE_ATTNAMES = {"parent_id", "tree_id", "lft", "rght", "level"}
# Every column a new comment supplies itself; the tree columns come from SQL.
_INSERT_FIELDS = [
    field
    for field in _FIELDS
    if not field.primary_key and field.attname not in _TREE_ATTNAMES
]
_NO_DEPTH_LIMIT = 2**31 - 1
_INSERT_COLUMNS = ", ".join(_quote(field.column) for field in _INSERT_FIELDS)
_INSERT_VALUES = ", ".join("%s" for _field in _INSERT_FIELDS)

# The lock, then (a second statement: a snapshot taken once it is held) the
# new rows' ids and the highest tree id.
_NEW_THREADS_SQL = f"""
    SELECT pg_advisory_xact_lock(%s);
    SELECT nextval(pg_get_serial_sequence('{Comment._meta.db_table}', 'id')),
        (SELECT COALESCE(MAX(tree_id), 0) FROM {_TABLE})
    FROM generate_series(1, %s) ORDER BY 1"""

# The lock, then the allocation of max(tree_id) + 1 and the insert.
_NEW_THREAD_SQL = f"""
    SELECT pg_advisory_xact_lock(%s);
    INSERT INTO {_TABLE} ({_INSERT_COLUMNS}, parent_id, tree_id, lft, rght, level)
    SELECT {_INSERT_VALUES}, NULL, COALESCE(MAX(tree_id), 0) + 1, 1, 2, 0 FROM {_TABLE}
    RETURNING id, tree_id"""

# The thread lock (lock_thread's); then the parent as it is now and, if it
# may be replied to (still in this thread, published, not too deep), the
# renumbering mptt does for a last child (every node ending at or after the
# parent's right edge moves two to the right, and so does its left edge if
# that is at or after it too) and the insert at the parent's old right edge.
# Both read the parent from the statement's snapshot, before the
# renumbering. Returns the parent's row and the new id (NULL when nothing
# was written), or no row if the parent is gone.
_REPLY_SQL = f"""
    SELECT 1 FROM {_TABLE} WHERE tree_id = %s AND parent_id IS NULL FOR UPDATE;
    WITH parent AS (
        SELECT {", ".join(_quote(field.column) for field in _FIELDS)}
        FROM {_TABLE} WHERE id = %s
    ), target AS (
        SELECT id, tree_id, rght, level FROM parent
        WHERE tree_id = %s AND status = ANY(%s) AND level + 1 < %s
    ), renumbered AS (
        UPDATE {_TABLE} AS node
        SET lft = CASE WHEN node.lft >= target.rght THEN node.lft + 2 ELSE node.lft END,
            rght = node.rght + 2
        FROM target
        WHERE node.tree_id = target.tree_id AND node.rght >= target.rght
    ), inserted AS (
        INSERT INTO {_TABLE} ({_INSERT_COLUMNS}, parent_id, tree_id, lft, rght, level)
        SELECT {_INSERT_VALUES}, id, tree_id, rght, rght + 1, level + 1 FROM target
        RETURNING id
    )
    SELECT parent.*, (SELECT id FROM inserted) FROM parent"""


def send_thread_changed(article_id: int) -> None:
    """Announce a change to the story's conversation, in the writer's transaction.

    Called after the write's last statement, so receivers (page versions)
    commit or roll back with it.
    """
    thread_changed.send(sender=Comment, article_id=article_id)
