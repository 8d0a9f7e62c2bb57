"""Import a Disqus export's comment threads onto our stories.

The mapping is in articles/disqus_import.py.
"""

from django.core.management.base import BaseCommand, CommandError

from articles.disqus_import import DisqusError, disqus_import


class Command(BaseCommand):
    help = (
        "Import a Disqus XML export: each thread's comments attach to the story whose "
        "address (or original URL) matches the thread's link; threads matching no story are "
        "reported. Spam and deleted comments are never shown. Importing the file again "
        "creates nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE", help="The Disqus export (.xml).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check the file and say which threads would attach to which "
            "stories and how many comments would be created; write nothing.",
        )
        parser.add_argument(
            "--create-stubs",
            action="store_true",
            help="Create an unpublished story for editors for each thread that matches none.",
        )

    def handle(self, *args, path, dry_run, create_stubs, **options):
        try:
            report = disqus_import(path=path, dry_run=dry_run, create_stubs=create_stubs)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        except DisqusError as error:
            raise CommandError(f"{error}; nothing was written.") from None
        for line in report.lines():
            self.stdout.write(line)
