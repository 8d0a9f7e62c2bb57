"""The write path's own SQL: it does what django-mptt and the ORM would, in
fewer round trips, and the schema keeps the renumbering cheap."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, StorySettings
from comments.models import BlockedPhrase, Comment, Like
from comments.services import comment_create, like_toggle
from comments.services.writes import story_for_comments
from comments.spam.checks import Submission, check_blocklist
from tests.comments.conftest import tree_problems, tree_shape
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _numbers(article):
    """(level, lft, rght) of each comment in tree order, thread by thread."""
    return [
        list(
            Comment.objects.filter(article=article, tree_id=tree_id)
            .order_by("lft")
            .values_list("level", "lft", "rght")
        )
        for tree_id in Comment.objects.filter(article=article, level=0)
        .order_by("tree_id")
        .values_list("tree_id", flat=True)
    ]


def test_replies_are_numbered_exactly_as_mptt_numbers_them(user):
    # c1                 Built twice: through comment_create, and through
    # ├── c2             mptt's own insert_node; the numbers must match.
    # │   ├── c4
    # │   │   └── c6
    # │   └── c7
    # └── c3
    #     └── c5
    # c8
    # └── c9
    parents = {"c2": "c1", "c3": "c1", "c4": "c2", "c5": "c3", "c6": "c4", "c7": "c2", "c9": "c8"}
    order = ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"]
    ours, theirs = ArticleFactory(), ArticleFactory()
    made: dict[str, Comment] = {}
    for label in order:
        parent = made.get(parents.get(label))
        made[label] = comment_create(article=ours, author=user, body=label, parent=parent)
    built: dict[str, Comment] = {}
    for label in order:
        parent = built.get(parents.get(label))
        if parent is not None:
            parent.refresh_from_db()
        node = Comment(
            article=theirs, author=user, body=label, body_html=label, created_at=timezone.now()
        )
        built[label] = Comment.objects.insert_node(node, parent, save=True)

    assert _numbers(ours) == _numbers(theirs)
    assert tree_shape(ours) == tree_shape(theirs)
    assert tree_problems() == []


def test_the_new_comment_is_returned_as_saved(post, article, user):
    c1 = post("c1")

    reply = comment_create(article=article, author=user, body="c2", parent=c1)

    stored = Comment.objects.get(pk=reply.pk)
    fields = ("tree_id", "lft", "rght", "level", "parent_id", "body_html", "created_at")
    assert [getattr(reply, f) for f in fields] == [getattr(stored, f) for f in fields]
    assert reply.parent.pk == c1.pk
    assert not reply._state.adding
    # Saving it again is an update in place, not a move.
    reply.body = "c2, edited"
    reply.save()
    assert tree_shape(article) == "c1 - 0\nc2, edited c1 1"
    assert tree_problems() == []


def test_a_parent_read_before_it_moved_thread_is_found_where_it_is(post, article, user):
    # Nothing here moves a comment to another thread, but the service must
    # cope with a parent whose thread it read wrongly: it looks again.
    c1, c2 = post("c1"), post("c2")
    stale = Comment.objects.get(pk=c2.pk)
    stale.tree_id = c1.tree_id

    comment_create(article=article, author=user, body="c3", parent=stale)

    # c1
    # c2
    # └── c3
    assert tree_shape(article) == "c1 - 0\nc2 - 0\nc3 c2 1"
    assert tree_problems() == []


def test_a_reply_to_a_comment_gone_meanwhile_is_refused(post, article, user):
    c1 = post("c1")
    gone = Comment.objects.get(pk=c1.pk)
    c1.delete()

    with pytest.raises(Exception, match="no longer exists"):
        comment_create(article=article, author=user, body="Hi", parent=gone)
    assert not Comment.objects.exists()


# Counted outside the test's own transaction, as in production: BEGIN and
# COMMIT are round trips too, and the test's savepoints would not be.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("parent", [False, True], ids=["top-level", "reply"])
def test_a_comment_takes_six_round_trips(post, article, user, django_assert_num_queries, parent):
    # BEGIN; the story's state; the author's history for the spam checks;
    # the lock, the renumbering and the insert in one go; the story's page
    # version; COMMIT.
    c1 = post("c1") if parent else None

    with django_assert_num_queries(6):
        comment_create(article=article, author=user, body="Hello", parent=c1)


@pytest.mark.django_db(transaction=True)
def test_staff_comments_skip_the_history_query(article, django_assert_num_queries):
    staff = StaffFactory()

    with django_assert_num_queries(5):
        comment_create(article=article, author=staff, body="Hello")


@pytest.mark.django_db(transaction=True)
def test_a_like_is_one_statement_committed_with_the_page_version(
    post, user, django_assert_num_queries
):
    # BEGIN; the like and its counter; the story's page version; COMMIT.
    comment = post("Nice")

    with django_assert_num_queries(4):
        assert like_toggle(comment=comment, user=user) == (True, 1)
    with django_assert_num_queries(4):
        assert like_toggle(comment=comment, user=user) == (False, 0)
    assert not Like.objects.exists()


# The blocklist ----------------------------------------------------------------


def _blocked(article, user, body):
    return check_blocklist(Submission(article=article, author=user, body=body)).reason


def test_every_change_to_the_blocklist_applies_to_the_next_comment(article, user):
    assert _blocked(article, user, "cheap casino loans") == ""

    BlockedPhrase.objects.create(phrase="casino")
    assert _blocked(article, user, "cheap casino loans") == 'Contains blocked phrase "casino"'

    # An update that sends no signal, from any process, counts as much as a save.
    BlockedPhrase.objects.update(phrase="loans")
    assert _blocked(article, user, "cheap casino loans") == 'Contains blocked phrase "loans"'

    BlockedPhrase.objects.create(phrase="cheap")
    assert _blocked(article, user, "cheap casino loans") == (
        'Contains blocked phrases "cheap", "loans"'
    )

    BlockedPhrase.objects.filter(phrase="cheap").update(is_active=False)
    assert _blocked(article, user, "cheap casino loans") == 'Contains blocked phrase "loans"'

    BlockedPhrase.objects.all().delete()
    assert _blocked(article, user, "cheap casino loans") == ""


def test_an_unchanged_blocklist_is_not_read_again(article, user, django_assert_num_queries):
    BlockedPhrase.objects.create(phrase="casino")
    _blocked(article, user, "warming up")

    # Only the author's history, which carries the list's fingerprint.
    with django_assert_num_queries(1):
        assert _blocked(article, user, "casino") == 'Contains blocked phrase "casino"'


# The schema -------------------------------------------------------------------


def test_no_index_covers_the_numbers_every_reply_rewrites():
    # A reply renumbers lft/rght of every comment after it in its thread.
    # Indexed, those columns would turn each of those row updates into an
    # insert into every index; unindexed, PostgreSQL updates the rows in
    # place (heap-only tuples). django-mptt adds an index on (tree_id, lft)
    # unless told otherwise (see comments/models.py).
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.relname, a.attname FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid
               JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey)
               WHERE x.indrelid = %s::regclass AND a.attname IN ('lft', 'rght')""",
            [Comment._meta.db_table],
        )
        assert cursor.fetchall() == []


def test_replies_from_many_readers_keep_the_thread_whole(article):
    readers = [UserFactory() for _ in range(4)]
    root = comment_create(article=article, author=readers[0], body="root")
    made = [root]
    for n in range(24):
        parent = made[(n * 7) % len(made)]
        made.append(
            comment_create(article=article, author=readers[n % 4], body=f"r{n}", parent=parent)
        )

    assert tree_problems() == []
    before = list(Comment.objects.order_by("pk").values_list("lft", "rght", "level"))
    Comment.objects.rebuild()
    assert list(Comment.objects.order_by("pk").values_list("lft", "rght", "level")) == before


@pytest.mark.parametrize(
    ("story", "site_days"),
    [
        ({}, None),  # published, open
        ({"status": "draft"}, None),
        ({"published_at_days": -1}, None),  # scheduled for tomorrow
        ({"comments_open": False}, None),
        ({"published_at_days": 10, "comments_close_after_days": 3}, None),
        ({"published_at_days": 10}, 3),  # closed by the site's default period
        ({"published_at_days": 10}, 30),
    ],
)
def test_the_story_check_agrees_with_what_readers_see(story, site_days):
    if site_days is not None:
        StorySettings.objects.update_or_create(pk=1, defaults={"comments_close_after_days": site_days})
    days = story.pop("published_at_days", 0)
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=days, hours=1), **story)

    checked = story_for_comments(article.pk)
    expected = Article.objects.published().filter(pk=article.pk).first()

    assert (checked is None) == (expected is None)
    if expected is not None:
        assert checked.comments_are_open == expected.comments_are_open
        assert checked.comments_close_at == expected.comments_close_at
