"""Re-render stored comment HTML that holds a link the reader typed.

Comments used to let a typed <a href="..."> through as a link, so its text
could name one place while its address went to another. Typed links now
show as text (comments.formatting); this applies that to the HTML stored
before, for comments and their earlier versions. Only rows whose text has
"<a" can have held such a link, so only those are read. Rendering is the
current code's, the same as for a comment written today.

No cache needs clearing: every cache key names the release that rendered
it (newsroom.release), and the release that brings this migration changes
comments.formatting, so no page or thread stored before it is served again.
A comment the previous release accepted after this ran (while it still
served) is caught by `manage.py rerender_comments --containing "<a"` once the
new release serves.
"""

from django.db import migrations


def rerender_typed_links(apps, schema_editor):
    from comments.formatting import render_comment

    for model_name in ("Comment", "CommentVersion"):
        model = apps.get_model("comments", model_name)
        rows = model.objects.filter(body__icontains="<a").only("pk", "body", "body_html")
        for row in rows.iterator(chunk_size=500):
            html = render_comment(row.body)
            if html != row.body_html:
                model.objects.filter(pk=row.pk, body=row.body).update(body_html=html)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0005_redacted_versions"),
    ]

    operations = [
        migrations.RunPython(rerender_typed_links, migrations.RunPython.noop, elidable=True),
    ]
