"""Import stories and their comment threads from saved pages (format: articles/importer.py)."""

import zoneinfo
from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from articles.importer import (
    SOURCE_NAME_MAX_LENGTH,
    ParsedComment,
    ParsedPage,
    ParseError,
    article_import,
    parse_page,
    read_page,
)
from comments.exceptions import CommentError

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
        "published stories with their comment threads. Re-importing a page updates its story."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Page files, UTF-8 text.")
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
            "--dry-run", action="store_true", help="Show what would be imported; write nothing."
        )

    def handle(self, *args, paths, source, published, original_url, byline, dry_run, **options):
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

        imported, failures = [], []
        for path in paths:
            try:
                page = parse_page(read_page(path), filename=path)
            except ParseError as error:
                failures.append(str(error))
                continue
            except OSError as error:
                failures.append(f"{path}: cannot read the file ({error.strerror})")
                continue
            if dry_run:
                self._describe(page, source_name=source or page.source_name)
                continue
            try:
                result = article_import(
                    page=page,
                    source_name=source,
                    published_at=published_at,
                    original_url=original_url,
                    byline=byline,
                )
            except CommentError as error:
                failures.append(f"{path}: the comments cannot be stored ({error.message})")
                continue
            action = "Imported" if result.created else "Updated"
            extra = "" if result.created else f", {result.comments_created} new"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{action} {result.article.title} → {result.article.get_absolute_url()} "
                    f"({_plural(result.comment_count, 'comment')}{extra})"
                )
            )
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

    def _describe(self, page: ParsedPage, *, source_name: str) -> None:
        write = self.stdout.write
        write(f"{page.filename} (dry run, nothing written)")
        write(f"  Title: {page.title}")
        write(f"  Slug: {page.slug}")
        write(f"  Source: {source_name or '(none)'}")
        write(f"  Copyright: {page.attribution or '(none)'}")
        write(f"  Subheadings: {'; '.join(page.subheadings) or '(none)'}")
        write(f"  Paragraphs: {page.paragraph_count}")
        write(f"  Comments: {page.comment_count}")
        for root in page.comments:
            self._describe_comment(root, depth=2)

    def _describe_comment(self, comment: ParsedComment, *, depth: int) -> None:
        likes = _plural(comment.like_count or 0, "like")
        words = comment.body.replace("\n", " ").split()
        preview = " ".join(words[:PREVIEW_WORDS]) + (" …" if len(words) > PREVIEW_WORDS else "")
        self.stdout.write(f"{'  ' * depth}{comment.key} {comment.author_name} [{likes}]: {preview}")
        for child in comment.children:
            self._describe_comment(child, depth=depth + 1)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
