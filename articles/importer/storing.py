"""Storing a parsed page: the story and its thread, in one transaction.

`article_import` matches an earlier import by slug, so re-importing
updates; `article_import_review` says beforehand what a re-import would
change, and the import refuses (unless forced) anything that would take
from the live story: a shorter body, imported comments lost or rewritten,
like counts lowered. Fields editors changed since the last import are kept
(`articles.import_review`).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.import_review import FIELDS, FieldChange, import_record, story_changes
from articles.importer.parsing import KNOWN_HOMEPAGES, ParsedComment, ParsedPage
from articles.models import Article, Source
from comments.selectors.imports import ThreadImportChanges, thread_import_changes
from comments.services import ImportedComment, comment_import_thread


@dataclass(frozen=True)
class ImportResult:
    article: Article
    created: bool
    comment_count: int
    comments_created: int
    kept: list[FieldChange] = field(default_factory=list)


@dataclass
class ImportReview:
    """What importing a page would do to the story it matches (by slug)."""

    article: Article | None  # None: the story is new
    fields: list[FieldChange] = field(default_factory=list)
    thread: ThreadImportChanges | None = None

    @property
    def refusals(self) -> list[str]:
        """Why the import needs --force; empty when it does not."""
        found = [f"{change.name}: {change.refusal}" for change in self.fields if change.risky]
        if self.thread is not None:
            if self.thread.missing:
                found.append(
                    f"comments: {_count(self.thread.missing)} imported before "
                    f"{'is' if len(self.thread.missing) == 1 else 'are'} not on the page "
                    f"({', '.join(self.thread.missing)}), so it may be cut short"
                )
            if self.thread.replaced:
                found.append(
                    f"comments: the text of {_count(self.thread.replaced)} would be replaced "
                    f"({', '.join(self.thread.replaced)})"
                )
            if lowered := self.thread.lowered:
                found.append(
                    "comments: imported likes would go down ("
                    + ", ".join(f"{c.key}: {c.old} → {c.new}" for c in lowered)
                    + ")"
                )
        return found


class ImportRefused(Exception):
    """Importing would take from a live story what readers see; nothing was written."""

    def __init__(self, review: ImportReview):
        self.review = review
        super().__init__("; ".join(review.refusals))


def _count(keys: list[str]) -> str:
    return f"{len(keys)} comment{'' if len(keys) == 1 else 's'}"


def _incoming(
    *, page: ParsedPage, source_name: str, published_at, original_url: str, byline: str
) -> dict:
    """The fields this import sets, with the page's (or the options') values."""
    name = source_name or page.source_name
    values = {
        "title": page.title,
        "body": page.body,
        "source": _find_source(name) or Source(name=name),
        "original_url": original_url,
        "byline": byline,
        "published_at": published_at,
    }
    # Options not given leave their fields alone.
    return {key: value for key, value in values.items() if value}


def article_import_review(
    *,
    page: ParsedPage,
    source_name: str = "",
    published_at: datetime | None = None,
    original_url: str = "",
    byline: str = "",
    force: bool = False,
    lock: bool = False,
) -> ImportReview:
    """What `article_import` with the same arguments would change (a read).

    Its `refusals` are why that import needs `force`; with `force` no field
    is kept. With `lock`, the story's row is locked for the caller's
    transaction.
    """
    stories = Article.objects.filter(slug=page.slug).select_related("source")
    article = (stories.select_for_update(of=("self",)) if lock else stories).first()
    if article is None:
        return ImportReview(article=None)
    incoming = _incoming(
        page=page,
        source_name=source_name,
        published_at=published_at,
        original_url=original_url,
        byline=byline,
    )
    thread = thread_import_changes(
        article=article, comments=[_imported(root) for root in page.comments]
    )
    return ImportReview(
        article=article,
        fields=story_changes(article=article, incoming=incoming, force=force),
        thread=thread,
    )


def article_import(
    *,
    page: ParsedPage,
    source_name: str = "",
    published_at: datetime | None = None,
    original_url: str = "",
    byline: str = "",
    force: bool = False,
) -> ImportResult:
    """Store a parsed page and its comments in one transaction.

    A story with the page's slug is updated in place: its title, body and
    source follow the page, and the published time, original URL and byline
    change only when given. Status, tags, standfirst and comment settings are
    editorial choices and are left alone. Comments are matched by their
    position in the page, so importing the same page again adds nothing.

    Re-importing never silently damages the live story. A field changed here
    since the last import (an editor's fix) is kept and reported in
    `ImportResult.kept`; and `ImportRefused` is raised, with nothing written,
    when the page would shorten the body, lose comments (imported ones the
    page lacks, or their text replaced) or lower imported like counts
    (`article_import_review` shows all of it). `force` imports regardless:
    the page's values replace kept fields and like counts may go down.
    Comments the page lacks are never deleted.
    """
    options = {
        "source_name": source_name,
        "published_at": published_at,
        "original_url": original_url,
        "byline": byline,
    }
    with transaction.atomic():
        review = article_import_review(page=page, force=force, lock=True, **options)
        if review.refusals and not force:
            raise ImportRefused(review)
        article, created = review.article, review.article is None
        incoming = _incoming(page=page, **options)
        if created:
            article = Article(
                slug=page.slug,
                status=Article.Status.PUBLISHED,
                published_at=published_at or timezone.now(),
            )
        kept = {change.name for change in review.fields if change.kept}
        changed = created or any(not change.kept for change in review.fields)
        for name, value in incoming.items():
            if name not in kept:
                if name == "source":
                    value = _source_for(name=value.name, notice=page.attribution)
                setattr(article, name, value)
        if created:
            # Everything the new story has came from this import, its date too.
            incoming = {name: getattr(article, name) for name in FIELDS}
        article.import_record = import_record(article=article, incoming=incoming)
        if changed:
            # An unchanged page is not an edit: readers would see "Updated".
            article.save()
        else:
            # What the page said is no part of what readers see: no new version.
            Article.objects.filter(pk=article.pk).update(import_record=article.import_record)
        comments_created = comment_import_thread(
            article=article,
            comments=[_imported(root) for root in page.comments],
            lower_likes=force,
        )
    return ImportResult(
        article,
        created,
        page.comment_count,
        comments_created,
        kept=[change for change in review.fields if change.kept],
    )


def _find_source(name: str) -> Source | None:
    slug = slugify(name)[: Source._meta.get_field("slug").max_length] or "source"
    by_name = Source.objects.filter(name__iexact=name).first()
    return by_name or Source.objects.filter(slug=slug).first()


def _source_for(*, name: str, notice: str) -> Source | None:
    if not name:
        return None
    source = _find_source(name)
    if source is None:
        return Source.objects.create(
            name=name,
            slug=slugify(name)[: Source._meta.get_field("slug").max_length] or "source",
            homepage_url=KNOWN_HOMEPAGES.get(name.casefold(), ""),
            copyright_notice=notice or f"(c) {name}",
        )
    if notice and not source.copyright_notice:
        # Fill a missing notice, but never overwrite one an editor has set.
        source.copyright_notice = notice
        source.save(update_fields=["copyright_notice"])
    return source


def _imported(comment: ParsedComment) -> ImportedComment:
    return ImportedComment(
        key=comment.key,
        author_name=comment.author_name,
        body=comment.body,
        like_count=comment.like_count or 0,
        children=[_imported(child) for child in comment.children],
    )
