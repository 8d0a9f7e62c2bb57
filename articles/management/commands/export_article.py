"""Write a story and its whole comment thread as JSON (format: articles/exporting.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.exporting import article_export, export_json
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Export a story and its comment thread (text, authors' names, statuses, likes, "
        "edit history, times) as JSON that import_article reads back."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="SLUG", help="The story's slug.")
        parser.add_argument(
            "-o", "--output", default="", metavar="PATH", help="Write to this file, not stdout."
        )

    def handle(self, *args, slug, output, **options):
        article = Article.objects.select_related("source").filter(slug=slug).first()
        if article is None:
            raise CommandError(f"No story has the slug {slug!r}.")
        text = export_json(article_export(article=article))
        if not output:
            self.stdout.write(text)
            return
        try:
            Path(output).write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{output}: cannot write the file ({error.strerror})") from None
        self.stderr.write(f"Exported {article.title} to {output}")
