"""Integrity checks of the comment trees and counters.

Used by the benchmarks, the soak test and the concurrency tests after many
concurrent writes: a corrupt tree shows up here long before a reader sees
replies under the wrong comment.
"""

from __future__ import annotations

from django.db import connection

from comments.models import Comment

_TREE_COLUMNS = ("id", "tree_id", "lft", "rght", "level", "parent_id")


def _fetch(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def tree_problems() -> list[str]:
    """Describe every inconsistency of the MPTT fields; empty when sound."""
    table = Comment._meta.db_table
    problems = []
    for (tree_id,) in _fetch(
        f"SELECT tree_id FROM {table} WHERE parent_id IS NULL GROUP BY tree_id HAVING count(*) > 1"
    ):
        problems.append(f"tree_id {tree_id} is shared by several top-level comments")
    for child, parent in _fetch(
        f"""SELECT c.id, p.id FROM {table} c JOIN {table} p ON c.parent_id = p.id
            WHERE c.tree_id <> p.tree_id OR c.level <> p.level + 1
               OR c.lft <= p.lft OR c.rght >= p.rght"""
    ):
        problems.append(f"comment {child} lies outside its parent {parent}")
    for (tree_id,) in _fetch(
        f"""SELECT tree_id FROM (
                SELECT tree_id, lft AS v FROM {table} UNION ALL SELECT tree_id, rght FROM {table}
            ) bounds GROUP BY tree_id
            HAVING count(*) <> count(DISTINCT v) OR min(v) <> 1 OR max(v) <> count(*)"""
    ):
        problems.append(f"tree {tree_id} has overlapping or missing lft/rght values")
    if not problems:
        problems.extend(_rebuild_changes())
    return problems


def _rebuild_changes() -> list[str]:
    """What django-mptt's rebuild() would change.

    rebuild() walks each tree from its root through the parent links, taking
    children in their current (tree_id, lft) order, and renumbers lft, rght
    and level (and tree ids 1..n, which is why those are not compared). The
    same walk is done here in memory: the real rebuild() takes tens of
    seconds on 10,000 comments.
    """
    rows = _fetch(
        f"SELECT {', '.join(_TREE_COLUMNS)} FROM {Comment._meta.db_table} ORDER BY tree_id, lft"
    )
    children: dict[int | None, list[tuple]] = {}
    for row in rows:
        children.setdefault(row[5], []).append(row)
    problems = []
    for root in children.get(None, []):
        counter = 1
        stack = [(root, 0, False)]
        while stack:
            row, level, done = stack.pop()
            pk, _tree_id, lft, rght, stored_level, _parent = row
            if done:
                if rght != counter:
                    problems.append(f"rebuild() would move comment {pk}")
                counter += 1
                continue
            if lft != counter or stored_level != level:
                problems.append(f"rebuild() would move comment {pk}")
            counter += 1
            stack.append((row, level, True))
            stack.extend((child, level + 1, False) for child in reversed(children.get(pk, [])))
    return sorted(set(problems))


def counter_problems() -> list[str]:
    """Comments whose stored like_count is not baseline + Like rows."""
    table = Comment._meta.db_table
    like_table = Comment.likes.rel.related_model._meta.db_table
    rows = _fetch(
        f"""SELECT c.id, c.like_count, c.like_baseline + count(l.id)
            FROM {table} c LEFT JOIN {like_table} l ON l.comment_id = c.id
            GROUP BY c.id HAVING c.like_count <> c.like_baseline + count(l.id)"""
    )
    return [f"comment {pk} shows {shown} likes but has {actual}" for pk, shown, actual in rows]


def all_problems() -> list[str]:
    return tree_problems() + counter_problems()
