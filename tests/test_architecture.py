"""The layout DESIGN.md describes, held by the code's imports.

- The story page (`storypage`) sits above both apps: neither imports it.
- `articles` does not import `comments`, except for import and export.
- `comments` reaches `articles` only for the story a comment belongs to
  (its models).
- Only the sanitizer imports bleach.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# articles modules that copy whole threads in or out: they may read both apps.
IMPORT_EXPORT = {
    "articles/importer/parsing.py",
    "articles/importer/storing.py",
    "articles/exporting.py",
    "articles/management/commands/import_article.py",
    "articles/management/commands/export_article.py",
    "articles/wordpress/importing.py",
    "articles/wordpress/exporting.py",
    "articles/disqus_import.py",
}


def _imports(app: str):
    """(module path, imported module name) for every import in the app's code."""
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative:
            continue
        for node in ast.walk(ast.parse(path.read_text(), relative)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield relative, alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield relative, node.module


def _top(name: str) -> str:
    return name.split(".")[0]


def test_neither_app_imports_the_story_page():
    for app in ("articles", "comments", "accounts"):
        found = [(path, name) for path, name in _imports(app) if _top(name) == "storypage"]
        assert found == [], found


def test_articles_imports_comments_only_to_import_and_export():
    found = [
        (path, name)
        for path, name in _imports("articles")
        if _top(name) == "comments" and path not in IMPORT_EXPORT
    ]
    assert found == [], found


def test_comments_reaches_articles_only_for_the_story_model():
    found = [
        (path, name)
        for path, name in _imports("comments")
        if _top(name) == "articles" and name != "articles.models"
    ]
    assert found == [], found


def test_only_the_sanitizer_imports_bleach():
    found = {
        path
        for app in ("articles", "comments", "accounts", "storypage", "newsroom")
        for path, name in _imports(app)
        if _top(name) == "bleach"
    }
    assert found == {"newsroom/sanitize.py"}
