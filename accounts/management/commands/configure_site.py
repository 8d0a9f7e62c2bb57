from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Set the site's domain and name (used in feeds, the sitemap and account emails) "
        "from NEWSROOM_SITE_DOMAIN and NEWSROOM_SITE_NAME. Safe to run on every deploy."
    )

    def handle(self, *args, **options):
        site, created = Site.objects.update_or_create(
            pk=settings.SITE_ID,
            defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME},
        )
        self.stdout.write(f"Site {'created' if created else 'set'}: {site.name} at {site.domain}")
