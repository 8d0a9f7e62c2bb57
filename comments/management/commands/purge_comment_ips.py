"""Forget commenters' IP addresses and user agents after the retention period.

Meant for a daily cron job: it is one UPDATE of the expired rows' two
columns (no tree fields, no thread locks), and running it again changes
nothing until more comments expire.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from comments.models import Comment


class Command(BaseCommand):
    help = (
        "Clear the IP address and user agent of comments older than "
        "NEWSROOM_COMMENT_IP_RETENTION_DAYS (the privacy page promises it)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of NEWSROOM_COMMENT_IP_RETENTION_DAYS.",
        )

    def handle(self, *args, days=None, **options):
        if days is None:
            days = settings.NEWSROOM_COMMENT_IP_RETENTION_DAYS
        if days < 0:
            raise CommandError("--days cannot be negative.")
        cutoff = timezone.now() - timedelta(days=days)
        # Only rows still holding data, so a repeat run updates (and locks) nothing.
        purged = (
            Comment.objects.filter(created_at__lt=cutoff)
            .filter(Q(ip_address__isnull=False) | ~Q(user_agent=""))
            .update(ip_address=None, user_agent="")
        )
        comments = "comment" if purged == 1 else "comments"
        day_word = "day" if days == 1 else "days"
        self.stdout.write(
            f"Cleared the IP address and user agent of {purged} {comments} "
            f"older than {days} {day_word}."
        )
