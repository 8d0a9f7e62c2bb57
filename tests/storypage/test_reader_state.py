"""The reader query (`storypage.section.reader_and_state`) against the rules it stands for.

Its SQL is written by hand, for speed: these tests hold it to
`comments.visibility.may_read`, to the likes and versions the rest of the
code reads, and to the session row.
"""

import itertools
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from comments import visibility
from comments.models import Comment, Like
from storypage import versions
from storypage.section import reader_and_state, reader_state
from tests.comments.threads import C, build
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "deleted"), list(itertools.product(Comment.Status.values, (False, True)))
)
def test_a_comment_is_pending_for_its_author_exactly_when_only_they_may_read_it(
    article, status, deleted
):
    author, other = UserFactory(), UserFactory()
    build(article, [C("mine", author=author, status=status, deleted=deleted)])
    comment = Comment.objects.get()
    author_reads = visibility.may_read(
        status=comment.status,
        deleted_at=comment.deleted_at,
        author_id=comment.author_id,
        reader=visibility.reader_of(author),
    )
    everyone_reads = visibility.may_read(
        status=comment.status,
        deleted_at=comment.deleted_at,
        author_id=comment.author_id,
        reader=visibility.EVERYONE,
    )

    # "Awaiting moderation" in their own thread: what they, and not everyone, may read.
    assert reader_state(article_id=article.pk, user=author).has_pending == (
        author_reads and not everyone_reads
    )
    assert not reader_state(article_id=article.pk, user=other).has_pending


def test_a_held_comment_on_another_story_is_not_pending_here(article):
    author = UserFactory()
    elsewhere = ArticleFactory()
    build(elsewhere, [C("held", author=author, status=Comment.Status.PENDING)])

    assert reader_state(article_id=elsewhere.pk, user=author).has_pending
    assert not reader_state(article_id=article.pk, user=author).has_pending


def test_staff_never_count_a_held_comment_as_pending(article):
    editor = StaffFactory()
    build(article, [C("held", author=editor, status=Comment.Status.PENDING)])

    assert not reader_state(article_id=article.pk, user=editor).has_pending


def test_the_reader_gets_their_likes_on_this_story_only(article):
    reader = UserFactory()
    here = build(article, [C("a"), C("b"), C("c")])
    there = build(ArticleFactory(), [C("x")])
    for comment in (here["a"], here["c"], there["x"]):
        Like.objects.create(user=reader, comment=comment, article_id=comment.article_id)

    state = reader_state(article_id=article.pk, user=reader)

    assert state.liked == {here["a"].pk, here["c"].pk}


def test_the_reader_row_versions_and_session_come_back_as_the_database_has_them(article):
    reader = UserFactory(first_name="Ada")
    current = versions.current(article.pk)
    session = SessionStore()
    session["note"] = "kept"
    session.create()

    found = reader_and_state(
        user_id=reader.pk, article_id=article.pk, session_key=session.session_key
    )

    assert found.user == reader and found.user.first_name == "Ada"
    assert found.versions == current
    assert found.session_digest is not None
    # A session that has ended, or never was, has no digest: its copy is never used.
    session.set_expiry(timezone.now() - timedelta(seconds=1))
    session.save()
    assert reader_and_state(
        user_id=reader.pk, article_id=article.pk, session_key=session.session_key
    ).session_digest is None
    assert reader_and_state(
        user_id=reader.pk, article_id=article.pk, session_key="no-such-session"
    ).session_digest is None


def test_a_user_who_is_gone_is_nobody(article):
    found = reader_and_state(user_id=10**9, article_id=article.pk, session_key=None)

    assert found.user is None and found.versions is None and not found.state.liked
