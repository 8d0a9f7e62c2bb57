"""Run the imports editors started in the admin (articles.import_jobs)."""

from django.core.management.base import BaseCommand

from articles.import_jobs import import_jobs_run


class Command(BaseCommand):
    help = (
        "Check or import every export uploaded in the admin that is waiting for it "
        "(the admin starts this itself unless NEWSROOM_IMPORT_JOBS=worker, when cron or a "
        "service should run it every minute)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--job", type=int, help="Only this job.")

    def handle(self, *args, job=None, **options):
        ran = import_jobs_run(job_id=job)
        if options["verbosity"] > 1 or ran:
            self.stdout.write(f"{ran} import job step{'' if ran == 1 else 's'} run")
