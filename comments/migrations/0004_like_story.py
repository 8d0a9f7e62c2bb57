# Likes carry their comment's story, so a reader's likes on a story are one
# index-only scan (see Like.article). Existing likes are filled in from their
# comments before the column becomes NOT NULL.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILL_IN = """
UPDATE comments_like AS l SET article_id = c.article_id
FROM comments_comment AS c WHERE c.id = l.comment_id AND l.article_id IS NULL
"""


class Migration(migrations.Migration):
    # Not one transaction: PostgreSQL refuses to alter a table whose rows were
    # just updated while deferred foreign-key checks on it are still pending.
    atomic = False

    dependencies = [
        ("articles", "0002_story_settings"),
        ("comments", "0003_hot_tree_updates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="like",
            name="article",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="articles.article",
            ),
        ),
        migrations.RunSQL(FILL_IN, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="like",
            name="article",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="articles.article",
            ),
        ),
        migrations.AddIndex(
            model_name="like",
            index=models.Index(
                fields=["user", "article"], include=("comment",), name="like_user_story"
            ),
        ),
    ]
