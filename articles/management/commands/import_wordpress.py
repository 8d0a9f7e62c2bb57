"""Import WordPress exports (WXR 1.0–1.2): stories and their comment threads.

The mapping is in articles/wordpress/importing.py.
"""

from django.core.management.base import BaseCommand, CommandError

from articles.wordpress.importing import wordpress_import
from articles.wordpress.wxr import WxrError


class Command(BaseCommand):
    help = (
        "Import WordPress export files (Tools → Export in WordPress): posts become stories "
        "with their comment threads. Drafts, pending, private and password-protected posts "
        "come in unpublished, future posts scheduled; pages, attachments, menu items, "
        "pingbacks and trackbacks are skipped and counted. Importing a file again updates "
        "what it imported before and creates nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE", help="WXR files (.xml).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check the files and say what would be created, updated and "
            "skipped, and why; write nothing.",
        )
        parser.add_argument(
            "--source",
            default="",
            help="Source name for the stories; default: the blog's title in the export.",
        )

    def handle(self, *args, paths, dry_run, source, **options):
        failed = []
        for path in paths:
            try:
                report = wordpress_import(path=path, source_name=source, dry_run=dry_run)
            except OSError as error:
                failed.append(f"{path}: {error.strerror or error}")
                continue
            except WxrError as error:
                failed.append(str(error))
                continue
            for line in report.lines():
                self.stdout.write(line)
        if failed:
            for message in failed:
                self.stderr.write(message)
            raise CommandError(
                f"{len(failed)} file{'' if len(failed) == 1 else 's'} not imported; "
                "nothing was written from "
                f"{'it' if len(failed) == 1 else 'them'}."
            )
