"""Upgrading keeps readers' likes: migration 0004 gives each existing like its story."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("comments", "0003_hot_tree_updates")]
AFTER = [("comments", "0004_like_story")]


def _migrate(targets):
    """The database at `targets`, and its models; stories as they are now
    (their migrations do not depend on the comments app's, so they stay)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    stories = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "articles"]
    return executor.loader.project_state([*targets, *stories]).apps


def test_existing_likes_get_their_comments_story():
    apps = _migrate(BEFORE)
    try:
        User = apps.get_model("auth", "User")
        Article = apps.get_model("articles", "Article")
        Comment = apps.get_model("comments", "Comment")
        Like = apps.get_model("comments", "Like")
        reader = User.objects.create(username="reader")
        stories = [
            Article.objects.create(title=f"Story {n}", slug=f"story-{n}", published_at=timezone.now())
            for n in range(2)
        ]
        comments = [
            Comment.objects.create(
                article=story,
                author=reader,
                body="Hello",
                created_at=timezone.now(),
                tree_id=n + 1,
                lft=1,
                rght=2,
                level=0,
            )
            for n, story in enumerate(stories)
        ]
        for comment in comments:
            Like.objects.create(user=reader, comment=comment)

        apps = _migrate(AFTER)

        Like = apps.get_model("comments", "Like")
        assert sorted(Like.objects.values_list("comment__article_id", "article_id")) == sorted(
            (story.pk, story.pk) for story in stories
        )
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
