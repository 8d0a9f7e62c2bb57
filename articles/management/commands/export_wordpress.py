"""Export stories and their comment threads as WordPress eXtended RSS (WXR 1.2).

The format and what it carries: articles/wordpress/exporting.py.
"""

from django.core.management.base import BaseCommand, CommandError

from articles.wordpress.exporting import stories_for_export, wxr_export


class Command(BaseCommand):
    help = (
        "Write stories (drafts and scheduled ones too) and their comment threads as a "
        "WordPress export (WXR 1.2) that WordPress's importer and import_wordpress read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--story",
            dest="slugs",
            action="extend",
            nargs="+",
            default=[],
            metavar="SLUG",
            help="Export only these stories (by slug); default: every story.",
        )
        parser.add_argument(
            "-o", "--output", default="", metavar="FILE", help="Write to FILE (default: stdout)."
        )

    def handle(self, *args, slugs, output, **options):
        stories = stories_for_export(slugs)
        missing = sorted(set(slugs) - set(stories.values_list("slug", flat=True)))
        if missing:
            raise CommandError(f"No story with the slug {', '.join(missing)}.")
        if output:
            with open(output, "w", encoding="utf-8", newline="\n") as handle:
                for piece in wxr_export(articles=stories.iterator(chunk_size=100)):
                    handle.write(piece)
            self.stderr.write(f"Wrote {stories.count()} stories to {output}.")
        else:
            for piece in wxr_export(articles=stories.iterator(chunk_size=100)):
                self.stdout.write(piece, ending="")
