"""What the last page import set each field of a story to, so that the next
import keeps what editors changed since (articles.import_review). Stories
imported before have no record: a re-import keeps their non-empty fields
unless forced."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_site_pages"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="import_record",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="What the last page import set each field to (articles.import_review): "
                "a field that differs from it was changed here, and a re-import keeps it.",
            ),
        ),
    ]
