"""Fuzzing the whole write path, not only the sanitizer.

tests/comments/test_sanitize.py fuzzes `render_comment` and
`clean_comment_html`, and tests/articles/test_importer.py fuzzes
`parse_page`. Here hostile text goes through `comment_create` and
`comment_edit` into PostgreSQL and back: the service either stores safe,
stable HTML or refuses with a CommentError, never another exception, and
the tree stays sound.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.exceptions import CommentError
from comments.integrity import all_problems
from comments.models import Comment
from comments.services import comment_create, comment_edit
from newsroom.sanitize import clean_comment_html
from tests.factories import ArticleFactory, UserFactory
from tests.newsroom.test_sanitize import _HOSTILE_TEXT, _assert_safe

pytestmark = pytest.mark.django_db

_WRITE_FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# NUL is the one character PostgreSQL cannot store; tested on its own below.
_STORABLE_TEXT = _HOSTILE_TEXT.map(lambda text: text.replace("\x00", ""))


@pytest.fixture
def open_story(settings):
    settings.NEWSROOM_FLOOD_MIN_SECONDS = 0
    settings.NEWSROOM_FLOOD_PER_HOUR = 0
    return ArticleFactory()


def _assert_stored_safely(comment: Comment, typed: str) -> None:
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.body == typed.strip()
    _assert_safe(stored.body_html)
    assert clean_comment_html(stored.body_html) == stored.body_html


@_WRITE_FUZZ
@given(text=_STORABLE_TEXT, reply=st.booleans())
def test_fuzz_comment_create_stores_safe_html_or_refuses(open_story, text, reply):
    parent = None
    if reply:
        parent = comment_create(article=open_story, author=UserFactory(), body="A parent.")
    try:
        # A savepoint per example, so a refusal leaves nothing behind.
        with transaction.atomic():
            comment = comment_create(
                article=open_story, author=UserFactory(), body=text, parent=parent
            )
    except CommentError as error:
        assert error.message
        return
    _assert_stored_safely(comment, text)
    assert comment.parent_id == (parent.pk if parent else None)
    assert all_problems() == []


@_WRITE_FUZZ
@given(text=_STORABLE_TEXT)
def test_fuzz_comment_edit_stores_safe_html_or_refuses(open_story, text):
    author = UserFactory()
    comment = comment_create(article=open_story, author=author, body="Before the edit.")
    try:
        with transaction.atomic():
            comment = comment_edit(comment=comment, editor=author, body=text)
    except CommentError as error:
        assert error.message
        assert Comment.objects.get(pk=comment.pk).body == "Before the edit."
        return
    _assert_stored_safely(comment, text)


@pytest.mark.parametrize("text", ["before\x00after", "\x00 and words"])
def test_a_nul_byte_is_refused_by_the_service_itself(open_story, text):
    with pytest.raises(CommentError):
        comment_create(article=open_story, author=UserFactory(), body=text)
    assert not Comment.objects.exists()
