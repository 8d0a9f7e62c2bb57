"""Upgrading re-renders stored stories whose Markdown now means more:
migration 0005 turns flattened tables, footnotes and `#` headings into
what a story saved today shows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from articles.rendering import render_markdown

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("articles", "0004_article_import_record")]
AFTER = [("articles", "0005_story_tables_footnotes_headings")]
RICH = "# Results\n\n| Party | Seats |\n|---|--:|\n| Red | 120 |\n\nTurnout rose[^1].\n\n[^1]: Figures."
# What the previous rendering stored for RICH: the table flattened, the heading
# and the footnote stripped to text.
FLATTENED = "Results\n\nParty\nSeats\n\nRed\n120\n\n<p>Turnout rose1.</p>\n\n\n1. Figures.↩"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_stored_stories_are_rendered_again_and_plain_ones_are_left_alone():
    apps = _migrate(BEFORE)
    try:
        Article = apps.get_model("articles", "Article")
        now = timezone.now()
        rich = Article.objects.create(
            title="Rich", slug="rich", body=RICH, body_html=FLATTENED, published_at=now
        )
        # Plain prose is not read again: its stored HTML stays as it is.
        plain = Article.objects.create(
            title="Plain", slug="plain", body="Just words.", body_html="<p>kept</p>", published_at=now
        )

        apps = _migrate(AFTER)

        Article = apps.get_model("articles", "Article")
        assert Article.objects.get(pk=rich.pk).body_html == render_markdown(RICH)
        assert "<table>" in render_markdown(RICH)
        assert Article.objects.get(pk=plain.pk).body_html == "<p>kept</p>"
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
