"""What importing a page again would change in a story that already exists.

A story remembers what its last page import set each field to
(`Article.import_record`). On the next import, a field whose value differs
from that record was changed here since (an editor's correction in the
admin) and is kept; `--force` replaces it. A story with no record of a field
(created by hand, or imported before records were kept) is treated the same
way, except that an empty field may always be filled.

A change that would take from what readers see is refused unless forced:
a body shorter than the live one (a page cut short or badly saved). A page
always names its source (the attribution line is required), so an import
never drops one. The thread's side of the same question is
`comments.selectors.imports`.
"""

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from articles.models import Article

# The fields a page import may set, in the order they are shown.
FIELDS = ("title", "body", "source", "original_url", "byline", "published_at")
DIFF_LINES = 12
DIFF_WIDTH = 90


@dataclass(frozen=True)
class FieldChange:
    """One field the import would (or, kept, would not) change."""

    name: str
    old: str
    new: str
    kept: str = ""  # why the import leaves the field as it is; empty when it changes it
    refusal: str = ""  # why it needs --force, when it does
    details: list[str] = field(default_factory=list)  # a diff of the body's paragraphs

    @property
    def risky(self) -> bool:
        return bool(self.refusal)


def recorded(name: str, value: Any) -> str:
    """A field's value as the import record keeps it (JSON text)."""
    if name == "source":
        return value.name if value is not None else ""
    if name == "published_at":
        return value.isoformat() if value is not None else ""
    return value or ""


def _shown(name: str, value: Any) -> str:
    if name == "source":
        return value.name if value is not None else "(none)"
    if name == "published_at":
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M %Z}"
    if name == "body":
        return f"{len(value):,} characters"
    return f"“{value}”" if value else "(empty)"


def _same(name: str, old: Any, new: Any) -> bool:
    if name == "source":
        return (old.pk if old else None) == (new.pk if new else None) or (
            old is not None and new is not None and old.name.casefold() == new.name.casefold()
        )
    return old == new


def story_changes(*, article: Article, incoming: dict[str, Any], force: bool) -> list[FieldChange]:
    """The fields of `article` that `incoming` (field name -> the page's value,
    only for the fields this import sets) would change, in FIELDS order."""
    record = article.import_record or {}
    changes = []
    for name in FIELDS:
        if name not in incoming:
            continue
        old, new = getattr(article, name), incoming[name]
        if _same(name, old, new):
            continue
        current, last_import = recorded(name, old), record.get(name)
        kept = ""
        if not force and current and last_import != current:
            kept = (
                "no earlier import on record set it"
                if last_import is None
                else "changed here since the last import"
            )
        refusal = "" if kept else _refusal(name, old, new)
        details = _body_diff(old, new) if name == "body" else []
        changes.append(
            FieldChange(name, _shown(name, old), _shown(name, new), kept, refusal, details)
        )
    return changes


def _refusal(name: str, old: Any, new: Any) -> str:
    # A page always names a source (its attribution line is required), so
    # the body is the one field an import can take from.
    if name == "body" and len(new) < len(old):
        return f"the story would lose {len(old) - len(new):,} of its {len(old):,} characters"
    return ""


def _body_diff(old: str, new: str) -> list[str]:
    """The paragraphs removed (-) and added (+), each cut to one line."""
    lines = [
        line
        for line in difflib.ndiff(old.split("\n\n"), new.split("\n\n"))
        if line[:1] in "+-" and line[2:].strip()
    ]
    cut = [line if len(line) <= DIFF_WIDTH else line[: DIFF_WIDTH - 1] + "…" for line in lines]
    if len(cut) > DIFF_LINES:
        cut = [*cut[:DIFF_LINES], f"… and {len(cut) - DIFF_LINES} more changed paragraphs"]
    return cut


def import_record(*, article: Article, incoming: dict[str, Any]) -> dict[str, str]:
    """The record to keep after this import: what the page said for each
    field it set, and what earlier imports said for the others."""
    return {**(article.import_record or {}), **{n: recorded(n, v) for n, v in incoming.items()}}
