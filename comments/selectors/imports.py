"""What importing a story's page again would do to its comment thread.

The read that `manage.py import_article` shows before it writes (and that
the page importer checks inside its transaction): which imported comments
the page no longer has, whose text it would replace, and whose imported
like count it would lower. Comments written on this site are never touched
by an import, so only imported ones (with an import key) are read.
"""

from dataclasses import dataclass, field

from articles.models import Article
from comments.models import Comment
from comments.services.imports import ImportedComment, takes_imported_text, walk_imported


@dataclass(frozen=True)
class LikeChange:
    key: str
    old: int
    new: int


@dataclass
class ThreadImportChanges:
    """Keys are positions in the page ("2", "2.1"), as the import stores them."""

    new: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    likes: list[LikeChange] = field(default_factory=list)

    @property
    def lowered(self) -> list[LikeChange]:
        return [change for change in self.likes if change.new < change.old]

    @property
    def risky(self) -> bool:
        """Whether importing would lose what readers see: a comment the page
        lacks, a comment's words replaced, or an imported like count lowered."""
        return bool(self.missing or self.replaced or self.lowered)


def thread_import_changes(
    *, article: Article, comments: list[ImportedComment]
) -> ThreadImportChanges:
    """What `comment_import_thread(article=..., comments=...)` would change
    (page mode, not restore): one query."""
    stored = {
        row.import_key: row
        for row in Comment.objects.filter(article=article)
        .exclude(import_key="")
        .only("import_key", "body", "like_baseline", "deleted_at", "edited_at")
    }
    changes = ThreadImportChanges()
    for item, _parent in walk_imported(comments):
        row = stored.pop(item.key, None)
        if row is None:
            changes.new.append(item.key)
            continue
        if takes_imported_text(row) and row.body != item.body:
            changes.replaced.append(item.key)
        if row.like_baseline != item.like_count:
            changes.likes.append(LikeChange(item.key, row.like_baseline, item.like_count))
    changes.missing = sorted(stored, key=_position)
    return changes


def _position(key: str) -> list[int | str]:
    return [int(part) if part.isdigit() else part for part in key.split(".")]
