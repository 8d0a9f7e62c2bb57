"""Import stories and their comment threads from saved pages (format: articles/importer/)
or from JSON written by export_article (format: articles/exporting.py)."""

import zoneinfo
from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from articles.exporting import (
    ArticleDocument,
    ExportError,
    article_import_json,
    load_export,
    validate_export,
)
from articles.importer import (
    SOURCE_NAME_MAX_LENGTH,
    ImportRefused,
    ImportResult,
    ImportReview,
    ParsedComment,
    ParsedPage,
    ParseError,
    article_import,
    article_import_review,
    parse_page,
    read_page,
)
from comments.exceptions import CommentError
from comments.services import ImportedComment

PREVIEW_WORDS = 8


def parse_published(value: str) -> datetime:
    """An ISO date or datetime; a date alone, or a time without offset, is in TIME_ZONE."""
    try:
        moment = parse_datetime(value)
        day = None if moment else parse_date(value)
    except ValueError:
        moment = day = None
    if day is not None:
        moment = datetime.combine(day, time())
    if moment is None:
        raise CommandError(
            f"--published {value!r} is not an ISO date or datetime, e.g. 2021-06-18 or "
            "2021-06-18T09:00:00+00:00."
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return moment


class Command(BaseCommand):
    help = (
        "Import news pages (title, paragraphs, attribution line, bulleted comments) as "
        "published stories with their comment threads, or JSON files written by "
        "export_article. Re-importing a page or a JSON file updates its story; a page "
        "keeps the fields editors changed since its last import and refuses to shorten the "
        "story, lose comments or lower like counts unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help="Page files, UTF-8 text, or JSON exports (*.json, or text starting with “{”).",
        )
        parser.add_argument(
            "--source", default="", help="Source name; overrides the page's attribution line."
        )
        parser.add_argument(
            "--published",
            default="",
            help="ISO date or datetime (date alone: midnight, site time zone). Default: now.",
        )
        parser.add_argument("--original-url", default="", help="Where the story first appeared.")
        parser.add_argument("--byline", default="", help="The story's byline.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be imported and, for a story that exists, every change; "
            "write nothing.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Import a page even if the story would get shorter, lose comments or like "
            "counts, and replace fields edited here since the last import.",
        )

    def handle(
        self, *args, paths, source, published, original_url, byline, dry_run, force, **options
    ):
        published_at = parse_published(published) if published else None
        if len(source) > SOURCE_NAME_MAX_LENGTH:
            raise CommandError(f"--source is longer than {SOURCE_NAME_MAX_LENGTH} characters.")
        if original_url:
            try:
                URLValidator(schemes=["http", "https"])(original_url)
            except ValidationError:
                raise CommandError(
                    f"--original-url {original_url!r} is not an http(s) URL."
                ) from None

        # An export carries its own source, time, URL and byline.
        page_options = [
            name
            for name, value in [
                ("--source", source),
                ("--published", published),
                ("--original-url", original_url),
                ("--byline", byline),
            ]
            if value
        ]
        imported, failures = [], []
        for path in paths:
            try:
                text = read_page(path)
                if path.endswith(".json") or text.lstrip().startswith("{"):
                    if page_options:
                        failures.append(
                            f"{path}: {', '.join(page_options)} apply to page files only; "
                            "a JSON export carries its own"
                        )
                    elif failure := self._import_export(path, text, dry_run=dry_run):
                        failures.append(failure)
                    else:
                        imported.append(path)
                    continue
                page = parse_page(text, filename=path)
            except ParseError as error:
                failures.append(str(error))
                continue
            except OSError as error:
                failures.append(f"{path}: cannot read the file ({error.strerror})")
                continue
            page_values = {
                "source_name": source,
                "published_at": published_at,
                "original_url": original_url,
                "byline": byline,
                "force": force,
            }
            if dry_run:
                review = article_import_review(page=page, **page_values)
                self._describe(page, review, source_name=source or page.source_name, force=force)
                continue
            try:
                result = article_import(page=page, **page_values)
            except ImportRefused as refused:
                self._describe_changes(refused.review, force=False, write=self.stderr.write)
                failures.append(
                    f"{path}: not imported, the live story would be damaged:\n  - "
                    + "\n  - ".join(refused.review.refusals)
                    + "\nCheck the page; --dry-run shows every change, --force imports anyway."
                )
                continue
            except CommentError as error:
                failures.append(f"{path}: the comments cannot be stored ({error.message})")
                continue
            self._report(result)
            imported.append(path)

        if failures:
            if len(paths) == 1:
                raise CommandError(failures[0])
            done = ", ".join(imported) or "none"
            verb = "checked" if dry_run else "imported"
            raise CommandError(
                f"{len(failures)} of {len(paths)} files failed, nothing written for them "
                f"({verb}: {done}):\n" + "\n".join(failures)
            )

    def _report(self, result: ImportResult) -> None:
        action = "Imported" if result.created else "Updated"
        extra = "" if result.created else f", {result.comments_created} new"
        self.stdout.write(
            self.style.SUCCESS(
                f"{action} {result.article.title} → {result.article.get_absolute_url()} "
                f"({_plural(result.comment_count, 'comment')}{extra})"
            )
        )
        for change in result.kept:
            self.stdout.write(
                f"  Kept {change.name} {change.old}: {change.kept} "
                f"(the page has {change.new}; --force replaces it)"
            )

    def _import_export(self, path: str, text: str, *, dry_run: bool) -> str | None:
        """Import (or with dry_run, check and show) one JSON export; the failure, if any."""
        try:
            document = load_export(text)
            if dry_run:
                self._describe_export(path, validate_export(document))
                return None
            result = article_import_json(document=document)
        except ExportError as error:
            where = path if error.line is None else f"{path}, line {error.line}"
            return f"{where}: {error.reason}"
        except CommentError as error:
            return f"{path}: the comments cannot be stored ({error.message})"
        self._report(result)
        return None

    def _describe_export(self, path: str, document: ArticleDocument) -> None:
        write = self.stdout.write
        write(f"{path} (dry run, nothing written)")
        write(f"  Title: {document.fields['title']}")
        write(f"  Slug: {document.fields['slug']}")
        write(f"  Source: {document.source['name'] if document.source else '(none)'}")
        write(f"  Tags: {', '.join(tag['name'] for tag in document.tags) or '(none)'}")
        write(f"  Comments: {document.comment_count}")
        stack = [(root, 2) for root in reversed(document.comments)]
        while stack:
            comment, depth = stack.pop()
            self._describe_imported(comment, depth=depth)
            stack.extend((child, depth + 1) for child in reversed(comment.children))

    def _describe_imported(self, comment: ImportedComment, *, depth: int) -> None:
        likes = _plural(comment.like_count, "like")
        words = comment.body.replace("\n", " ").split()
        preview = " ".join(words[:PREVIEW_WORDS]) + (" …" if len(words) > PREVIEW_WORDS else "")
        if comment.deleted_at is not None:
            preview = "[deleted]"
        self.stdout.write(
            f"{'  ' * depth}{comment.key} {comment.author_name} [{likes}, {comment.status}]: "
            f"{preview}"
        )

    def _describe(
        self, page: ParsedPage, review: ImportReview, *, source_name: str, force: bool
    ) -> None:
        write = self.stdout.write
        write(f"{page.filename} (dry run, nothing written)")
        write(f"  Title: {page.title}")
        write(f"  Slug: {page.slug}")
        if review.article is None:
            write("  Story: new")
        else:
            write(f"  Story: exists at {review.article.get_absolute_url()}")
        write(f"  Source: {source_name or '(none)'}")
        write(f"  Copyright: {page.attribution or '(none)'}")
        write(f"  Subheadings: {'; '.join(page.subheadings) or '(none)'}")
        write(f"  Paragraphs: {page.paragraph_count}")
        write(f"  Comments: {page.comment_count}")
        for root in page.comments:
            self._describe_comment(root, depth=2)
        if review.article is not None:
            self._describe_changes(review, force=force, write=write)

    def _describe_changes(self, review: ImportReview, *, force: bool, write) -> None:
        """Field by field, what importing the page would change in the live story."""
        write("  Changes to the live story:" if review.fields else "  Story fields: no change")
        for change in review.fields:
            if change.kept:
                write(
                    f"    {change.name}: kept {change.old}, {change.kept} "
                    f"(the page has {change.new}; --force replaces it)"
                )
                continue
            note = ""
            if change.risky:
                note = f" ({'forced' if force else 'needs --force'}: {change.refusal})"
            write(f"    {change.name}: {change.old} → {change.new}{note}")
            for line in change.details:
                write(f"      {line}")
        thread = review.thread
        lines = []
        if thread.new:
            lines.append(f"{_plural(len(thread.new), 'new comment')}: {', '.join(thread.new)}")
        if thread.missing:
            note = "kept" if force else "needs --force"
            lines.append(f"imported before, not on the page: {', '.join(thread.missing)} ({note})")
        if thread.replaced:
            note = "forced" if force else "needs --force"
            lines.append(f"text replaced: {', '.join(thread.replaced)} ({note})")
        for like in thread.likes:
            note = ""
            if like.new < like.old:
                note = " (forced)" if force else " (needs --force)"
            lines.append(f"{like.key}: imported likes {like.old} → {like.new}{note}")
        write("  Changes to the comments:" if lines else "  Comments: no change")
        for line in lines:
            write(f"    {line}")

    def _describe_comment(self, comment: ParsedComment, *, depth: int) -> None:
        likes = _plural(comment.like_count or 0, "like")
        words = comment.body.replace("\n", " ").split()
        preview = " ".join(words[:PREVIEW_WORDS]) + (" …" if len(words) > PREVIEW_WORDS else "")
        self.stdout.write(f"{'  ' * depth}{comment.key} {comment.author_name} [{likes}]: {preview}")
        for child in comment.children:
            self._describe_comment(child, depth=depth + 1)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
