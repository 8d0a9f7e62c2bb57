"""What cached pages were rendered by: this release's code, templates, static
files and pinned requirements, and the settings that show on pages.

Cached content is keyed by it (the cache's KEY_PREFIX, in settings), so a
deploy that changes how a page renders, or a restart with a setting readers
see changed (Akismet switched on, a social provider's credentials added), can
never be served a page an earlier release stored in the shared cache: the
page versions in PostgreSQL say when content changed, this says when the
renderer did. App servers running the same release share one prefix.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

# Everything under these (relative to the project root) can change a page.
SOURCES = (
    "accounts",
    "articles",
    "comments",
    "storypage",
    "newsroom",
    "templates",
    "static",
    "requirements.txt",
)


def _files(root: Path):
    for name in SOURCES:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(
                found
                for found in path.rglob("*")
                if found.is_file() and "__pycache__" not in found.parts
            )


def fingerprint(root: Path, shown: Mapping[str, object]) -> str:
    """A short digest of the files under `root` that render pages and of `shown`,
    the settings values pages show (never secrets themselves)."""
    digest = hashlib.blake2b(digest_size=8)
    for path in _files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    digest.update(repr(sorted(shown.items())).encode())
    return digest.hexdigest()
