"""Render stored comment HTML again with the current formatting rules.

Comment HTML is rendered when a comment is written, so a change to
comments.formatting reaches new and edited comments only; this brings the
stored ones (and their edit history) in line. Safe to run while the site
serves, and to run again.
"""

from django.core.management.base import BaseCommand

from comments.services import comment_html_rerender


class Command(BaseCommand):
    help = "Render the stored HTML of every comment and earlier version again from its text."

    def add_arguments(self, parser):
        parser.add_argument(
            "--containing",
            default="",
            metavar="TEXT",
            help='Only texts holding TEXT, in any case (say "<a" after a change to links).',
        )

    def handle(self, *args, containing="", **options):
        changed = comment_html_rerender(only_containing=containing)
        rows = "text" if changed == 1 else "texts"
        self.stdout.write(f"Rendered {changed} stored comment {rows} again.")
