"""A story and its whole comment thread as one JSON document, and back.

`manage.py export_article SLUG` writes it; `manage.py import_article` reads
it. The format is versioned:

    {"format": "newsroom-article", "version": 1,
     "article": {title, slug, standfirst, byline, body (Markdown), status,
                 published_at, original_url, comments_open,
                 comments_close_after_days,
                 source: {name, slug, homepage_url, copyright_notice} | null,
                 tags: [{name, slug}, ...]},
     "comments": [{key, author, status, body, created_at, edited_at,
                   edited_by_moderator, deleted_at, featured_at, likes,
                   versions: [{body, created_at}, ...],
                   replies: [...]}, ...]}

Times are ISO 8601 in UTC. Comments are in thread order, tags by slug, and
keys are sorted, so exporting twice gives the same bytes, and so does
export → import into an empty database → export.

What is left out, on purpose: reader accounts (an author is the name shown
under the comment and is imported as that name, without an account), who
liked what (`likes` is the count shown, and becomes the imported comment's
like baseline) and anything that would differ after an import (ids,
rendered HTML, the split of a count into baseline and likes given here).

A comment's `key` is its import key, so a JSON import of an export matches
the same comments again; a comment written on this site gets its position
("2", "2.1") instead, which the import then stores as its key.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from articles.importer import ImportResult
from articles.models import Article, Source, Tag
from comments.models import Comment
from comments.services import ImportedComment, ImportedVersion, comment_import_thread

FORMAT = "newsroom-article"
VERSION = 1
_KEY_MAX = Comment._meta.get_field("import_key").max_length
_AUTHOR_MAX = Comment._meta.get_field("author_name").max_length


class ExportError(Exception):
    """A document that cannot be imported; `line` is set for JSON syntax errors."""

    def __init__(self, reason: str, *, line: int | None = None):
        self.reason = reason
        self.line = line
        super().__init__(reason if line is None else f"line {line}: {reason}")


# Exporting -------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def article_export(*, article: Article) -> dict[str, Any]:
    """The story and its whole thread as a JSON-ready document (see the module docstring)."""
    source = article.source
    document_article = {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "byline": article.byline,
        "body": article.body,
        "status": article.status,
        "published_at": _iso(article.published_at),
        "original_url": article.original_url,
        "comments_open": article.comments_open,
        "comments_close_after_days": article.comments_close_after_days,
        "source": None
        if source is None
        else {
            "name": source.name,
            "slug": source.slug,
            "homepage_url": source.homepage_url,
            "copyright_notice": source.copyright_notice,
        },
        "tags": [{"name": tag.name, "slug": tag.slug} for tag in article.tags.order_by("slug")],
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "article": document_article,
        "comments": _comment_tree(article),
    }


def _comment_tree(article: Article) -> list[dict[str, Any]]:
    """The thread as nested dicts in (tree_id, lft) order, built without recursion."""
    comments = list(
        Comment.objects.filter(article=article)
        .select_related("author")
        .prefetch_related("versions")
        .order_by("tree_id", "lft")
    )
    taken = {c.import_key for c in comments if c.import_key}
    roots: list[dict[str, Any]] = []
    by_pk: dict[int, dict[str, Any]] = {}
    for comment in comments:
        parent = by_pk.get(comment.parent_id)
        siblings = roots if parent is None else parent["replies"]
        key = comment.import_key or _positional_key(
            comment, parent=parent, position=len(siblings) + 1, taken=taken
        )
        node = {
            "key": key,
            "author": comment.display_name,
            "status": comment.status,
            "body": comment.body,
            "created_at": _iso(comment.created_at),
            "edited_at": _iso(comment.edited_at),
            "edited_by_moderator": comment.edited_by_moderator,
            "deleted_at": _iso(comment.deleted_at),
            "featured_at": _iso(comment.featured_at),
            "likes": comment.like_count,
            "versions": [
                {"body": version.body, "created_at": _iso(version.created_at)}
                for version in sorted(comment.versions.all(), key=lambda v: (v.created_at, v.pk))
            ],
            "replies": [],
        }
        siblings.append(node)
        by_pk[comment.pk] = node
    return roots


def _positional_key(comment: Comment, *, parent, position: int, taken: set[str]) -> str:
    """The comment's position, e.g. "2.1" for the first reply to the second thread.

    When an imported comment already holds that key, or it is too long to
    store, the key is made from the comment's id instead.
    """
    candidate = f"{parent['key']}.{position}" if parent else str(position)
    suffix = 0
    while candidate in taken or len(candidate) > _KEY_MAX:
        suffix += 1
        candidate = f"c{comment.pk}" + (f"-{suffix}" if suffix > 1 else "")
    taken.add(candidate)
    return candidate


def export_json(document: dict[str, Any]) -> str:
    """The document as text; the same document always gives the same bytes."""
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True)


# Reading ---------------------------------------------------------------------


def load_export(text: str) -> Any:
    """Parse JSON text, or raise `ExportError` with the line of the syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ExportError(f"not valid JSON ({error.msg})", line=error.lineno) from None
    except RecursionError:
        raise ExportError("the JSON nests too deeply to be read") from None


@dataclass
class ArticleDocument:
    """A checked export: the story's fields, its source, tags and comment tree."""

    fields: dict[str, Any]
    source: dict[str, str] | None
    tags: list[dict[str, str]]
    comments: list[ImportedComment] = field(default_factory=list)

    @property
    def comment_count(self) -> int:
        count, stack = 0, list(self.comments)
        while stack:
            count += 1
            stack.extend(stack.pop().children)
        return count


_ARTICLE_REQUIRED = {"title": str, "slug": str, "body": str, "status": str, "published_at": str}
_ARTICLE_OPTIONAL = {
    "standfirst": (str, ""),
    "byline": (str, ""),
    "original_url": (str, ""),
    "comments_open": (bool, True),
    "comments_close_after_days": ((int, type(None)), None),
    "source": ((dict, type(None)), None),
    "tags": (list, []),
}
_COMMENT_REQUIRED = {"key": str, "author": str, "body": str, "created_at": str}
_COMMENT_OPTIONAL = {
    "status": (str, Comment.Status.PUBLISHED),
    "edited_at": ((str, type(None)), None),
    "edited_by_moderator": (bool, False),
    "deleted_at": ((str, type(None)), None),
    "featured_at": ((str, type(None)), None),
    "likes": (int, 0),
    "versions": (list, []),
    "replies": (list, []),
}


def _fields(value: Any, where: str, required: dict, optional: dict) -> dict[str, Any]:
    """The object's fields, type-checked, with defaults for the optional ones."""
    if not isinstance(value, dict):
        raise ExportError(f"{where} must be a JSON object")
    unknown = sorted(set(value) - set(required) - set(optional))
    if unknown:
        raise ExportError(f"{where} has unknown fields: {', '.join(unknown)}")
    out = {}
    for name in required:
        if name not in value:
            raise ExportError(f"{where} is missing “{name}”")
        out[name] = value[name]
    for name, (_kind, default) in optional.items():
        out[name] = value.get(name, default)
    for name, item in out.items():
        kinds = required.get(name) or optional[name][0]
        kinds = kinds if isinstance(kinds, tuple) else (kinds,)
        # bool is an int in Python, but `"likes": true` is a mistake in the file.
        if not isinstance(item, kinds) or (isinstance(item, bool) and bool not in kinds):
            raise ExportError(f"{where}.{name} has the wrong type")
        # PostgreSQL text cannot hold NUL; refuse it here rather than fail mid-import.
        if isinstance(item, str) and "\x00" in item:
            raise ExportError(f"{where}.{name} contains a NUL character")
    return out


def _moment(value: str | None, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ExportError(f"{where} is not an ISO 8601 date and time: {value!r}") from None
    if moment.tzinfo is None:
        raise ExportError(f"{where} has no time zone offset: {value!r}")
    return moment


def _clean(instance, where: str, exclude: list[str]) -> None:
    """Field validation of the model (lengths, URLs, slugs, choices), as ExportError."""
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
        raise ExportError(f"{where}: {problems}") from None


def validate_export(document: Any) -> ArticleDocument:
    """Check a loaded document against the format; raise `ExportError` saying where it is wrong."""
    envelope = _fields(
        document,
        "the document",
        {"format": str, "version": int},
        {"article": (dict, None), "comments": (list, [])},
    )
    if envelope["format"] != FORMAT:
        raise ExportError(f"the format is {envelope['format']!r}, not {FORMAT!r}")
    if envelope["version"] != VERSION:
        raise ExportError(f"version {envelope['version']} is not supported (only {VERSION})")
    if envelope["article"] is None:
        raise ExportError("the document is missing “article”")

    fields = _fields(envelope["article"], "article", _ARTICLE_REQUIRED, _ARTICLE_OPTIONAL)
    source, tags = fields.pop("source"), fields.pop("tags")
    fields["published_at"] = _moment(fields["published_at"], "article.published_at")
    _clean(Article(**fields), "article", exclude=["body_html", "source", "search_vector"])
    if source is not None:
        source = _fields(
            source,
            "article.source",
            {"name": str, "slug": str},
            {"homepage_url": (str, ""), "copyright_notice": (str, "")},
        )
        _clean(Source(**source), "article.source", exclude=[])
    checked_tags = []
    for index, tag in enumerate(tags):
        tag = _fields(tag, f"article.tags[{index}]", {"name": str, "slug": str}, {})
        _clean(Tag(**tag), f"article.tags[{index}]", exclude=[])
        checked_tags.append(tag)
    return ArticleDocument(fields, source, checked_tags, _comments(envelope["comments"]))


def _comments(roots: list[Any]) -> list[ImportedComment]:
    """The comment tree as ImportedComment items, walked without recursion."""
    result: list[ImportedComment] = []
    stack = [(value, f"comments[{i}]", result) for i, value in reversed(list(enumerate(roots)))]
    while stack:
        value, where, siblings = stack.pop()
        data = _fields(value, where, _COMMENT_REQUIRED, _COMMENT_OPTIONAL)
        if not 1 <= len(data["key"]) <= _KEY_MAX:
            raise ExportError(f"{where}.key must be 1 to {_KEY_MAX} characters")
        if len(data["author"]) > _AUTHOR_MAX:
            raise ExportError(f"{where}.author is longer than {_AUTHOR_MAX} characters")
        if data["status"] not in Comment.Status.values:
            raise ExportError(f"{where}.status must be one of {', '.join(Comment.Status.values)}")
        if data["likes"] < 0:
            raise ExportError(f"{where}.likes cannot be negative")
        versions = []
        for index, version in enumerate(data["versions"]):
            at = f"{where}.versions[{index}]"
            version = _fields(version, at, {"body": str, "created_at": str}, {})
            versions.append(
                ImportedVersion(version["body"], _moment(version["created_at"], f"{at}.created_at"))
            )
        item = ImportedComment(
            key=data["key"],
            author_name=data["author"],
            body=data["body"],
            like_count=data["likes"],
            created_at=_moment(data["created_at"], f"{where}.created_at"),
            status=data["status"],
            edited_at=_moment(data["edited_at"], f"{where}.edited_at"),
            edited_by_moderator=data["edited_by_moderator"],
            deleted_at=_moment(data["deleted_at"], f"{where}.deleted_at"),
            featured_at=_moment(data["featured_at"], f"{where}.featured_at"),
            versions=versions,
        )
        siblings.append(item)
        stack.extend(
            (reply, f"{where}.replies[{i}]", item.children)
            for i, reply in reversed(list(enumerate(data["replies"])))
        )
    return result


# Storing ---------------------------------------------------------------------


def article_import_json(*, document: Any) -> ImportResult:
    """Store an exported story and its thread in one transaction.

    The document is the record: a story with its slug is updated to match
    it (fields, source, tags), and its comments are matched by key and take
    the document's text, status, history and like totals, so importing the
    same document again changes nothing. A source or tag that already
    exists (by slug, else by name) is used as it is. Raises `ExportError`
    for a document that does not follow the format, and
    `comments.exceptions.CommentError` for a thread that cannot be stored.
    """
    checked = validate_export(document)
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(slug=checked.fields["slug"]).first()
        created = article is None
        article = article or Article()
        names = [*checked.fields, "source_id"]
        before = [getattr(article, name) for name in names]
        for name, value in checked.fields.items():
            setattr(article, name, value)
        article.source = None if checked.source is None else _source(checked.source)
        if created or before != [getattr(article, name) for name in names]:
            # An unchanged story is not an edit: readers would see "Updated".
            article.save()
        article.tags.set([_tag(tag) for tag in checked.tags])
        comments_created = comment_import_thread(
            article=article, comments=checked.comments, restore=True
        )
    return ImportResult(article, created, checked.comment_count, comments_created)


def _source(data: dict[str, str]) -> Source:
    existing = (
        Source.objects.filter(slug=data["slug"]).first()
        or Source.objects.filter(name__iexact=data["name"]).first()
    )
    return existing or Source.objects.create(**data)


def _tag(data: dict[str, str]) -> Tag:
    existing = (
        Tag.objects.filter(slug=data["slug"]).first()
        or Tag.objects.filter(name__iexact=data["name"]).first()
    )
    return existing or Tag.objects.create(**data)
