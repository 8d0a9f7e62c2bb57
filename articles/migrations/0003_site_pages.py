"""The site's own pages, editable by editors in the admin (flat pages): About,
Contact and the comment guidelines linked beside every comment form."""

from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations

from newsroom.site_pages import PAGES


def create_pages(apps, schema_editor):
    FlatPage = apps.get_model("flatpages", "FlatPage")
    Site = apps.get_model("sites", "Site")
    # Django creates the default site after every migration has run; the pages
    # need it now. configure_site gives it the real domain.
    site, created = Site.objects.get_or_create(
        pk=getattr(settings, "SITE_ID", 1), defaults={"domain": "example.com", "name": "example.com"}
    )
    if created:
        # As Django's own create_default_site: an explicit id leaves the
        # sequence behind, and the next site added would collide with it.
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Site]):
                cursor.execute(sql)
    for url, title, content in PAGES:
        page, created = FlatPage.objects.get_or_create(
            url=url, defaults={"title": title, "content": content}
        )
        if created:
            page.sites.add(site)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_story_settings"),
        ("flatpages", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
