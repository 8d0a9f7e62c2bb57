"""Reads for banning: which readers a moderator may pick, and their ban."""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.auth import get_user_model

from comments.models import Ban

READERS_PER_PAGE = 20


class ReaderChoice(NamedTuple):
    """A reader as the ban form's lookup offers them: nothing but their id
    and public name (moderators may not see readers' accounts or emails)."""

    id: int
    username: str


def readers_to_ban(*, term: str, page: int = 1) -> tuple[list[ReaderChoice], bool]:
    """One page of the readers whose username contains `term` (staff, who
    cannot be banned, and closed accounts left out), by username; and
    whether there are more. One query."""
    User = get_user_model()
    name = User.USERNAME_FIELD
    readers = User.objects.filter(is_staff=False, is_active=True)
    term = term.strip()
    if term:
        readers = readers.filter(**{f"{name}__icontains": term})
    start = (max(page, 1) - 1) * READERS_PER_PAGE
    rows = list(
        readers.order_by(name).values_list("pk", name)[start : start + READERS_PER_PAGE + 1]
    )
    return [ReaderChoice(*row) for row in rows[:READERS_PER_PAGE]], len(rows) > READERS_PER_PAGE


def ban_of(user_id: int | None) -> Ban | None:
    """The reader's ban, if any, whether or not its end date has passed
    (`Ban.is_active` says which)."""
    if user_id is None:
        return None
    return Ban.objects.filter(user_id=user_id).first()
