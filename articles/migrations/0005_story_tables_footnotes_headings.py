"""Stories render Markdown tables, footnotes and `#` headings.

They used to be flattened to plain text or stripped by the sanitizer; the
body's help text now says what is supported, and this re-renders the stored
body_html of stories whose Markdown can hold any of it (a `|`, `#`, `[^`,
or a line starting with `=`, `:` or `-`, and the `{:` and `*[` of the
Markdown extras no longer enabled). Only those rows are read, a chunk at a
time; rendering is the current code's, the same as for a story saved today.

No cache needs clearing: every cache key names the release that rendered
it (newsroom.release), and the release that brings this migration changes
articles.rendering, so no page stored before it is served again.
"""

from django.db import migrations, models

# Markdown that renders differently now; plain prose never matches.
CHANGED_MARKUP = r"[|#]|\[\^|\{:|\*\[|(^|\n) *[=:-]"


def rerender_bodies(apps, schema_editor):
    from articles.rendering import render_markdown

    Article = apps.get_model("articles", "Article")
    rows = Article.objects.filter(body__regex=CHANGED_MARKUP).only("pk", "body", "body_html")
    for row in rows.iterator(chunk_size=500):
        html = render_markdown(row.body)
        if html != row.body_html:
            Article.objects.filter(pk=row.pk, body=row.body).update(body_html=html)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_article_import_record"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="body",
            field=models.TextField(
                help_text="Markdown: a blank line between paragraphs; *italic*, **bold**, "
                "[link text](https://…), lists (- item, 1. item), > quotes, `code`, "
                "images (![description](https://…)). Headings: # or ## for a section heading, "
                "### for a subheading, #### for a minor one (the story's title is the page's "
                "main heading, so # gives the same level as ##). Tables: a header row, a row of "
                "dashes, then the rows, cells between | (|:--| left, |:-:| centred, |--:| right "
                "aligned); they scroll sideways on phones. Footnotes: text[^1] in the story and "
                "[^1]: the note on a line of its own; notes are numbered and listed at the end."
            ),
        ),
        migrations.RunPython(rerender_bodies, migrations.RunPython.noop, elidable=True),
    ]
