"""Who may read a comment is one rule (comments.visibility), in Python and as a
filter, and every page that shows comments follows it."""

import itertools

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.visibility import may_read, readable, reader_of
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.fixture
def every_kind(article):
    """One comment by `author` for each status, deleted by its author or not."""
    author = UserFactory(username="author")
    made = {}
    for status, deleted in itertools.product(Status.values, (False, True)):
        made[status, deleted] = Comment.objects.create(
            article=article,
            author=author,
            body=f"{status} {'deleted' if deleted else 'kept'}",
            body_html=f"<p>Text of the {status} {'deleted' if deleted else 'kept'} one</p>",
            status=status,
            deleted_at=timezone.now() if deleted else None,
            created_at=timezone.now(),
        )
    return author, made


def test_the_rule_and_its_filter_agree_for_every_reader(every_kind):
    author, made = every_kind
    for user in (None, author, UserFactory(), StaffFactory()):
        reader = reader_of(user)
        by_filter = set(Comment.objects.filter(readable(reader)).values_list("pk", flat=True))
        by_rule = {
            comment.pk
            for comment in made.values()
            if may_read(
                status=comment.status,
                deleted_at=comment.deleted_at,
                author_id=comment.author_id,
                reader=reader,
            )
        }
        assert by_filter == by_rule, user


def test_readers_read_published_comments_and_their_own_held_ones(every_kind):
    author, made = every_kind
    everyone = {c.pk for (status, deleted), c in made.items() if status == "published" and not deleted}
    own = everyone | {
        c.pk for (status, deleted), c in made.items() if status in ("pending", "spam") and not deleted
    }
    staff = {c.pk for (_status, deleted), c in made.items() if not deleted}

    def readable_by(user):
        return set(Comment.objects.filter(readable(reader_of(user))).values_list("pk", flat=True))

    assert readable_by(None) == readable_by(UserFactory()) == everyone
    assert readable_by(author) == own
    assert readable_by(StaffFactory()) == staff


def test_a_comments_own_page_shows_its_text_only_to_who_may_read_it(every_kind):
    author, made = every_kind
    held = made["pending", False]
    url = reverse("comments:detail", kwargs={"pk": held.pk})
    signed_in = Client()
    signed_in.force_login(author)
    other = Client()
    other.force_login(UserFactory())

    assert "Text of the pending kept one" in signed_in.get(url).content.decode()
    assert "Text of the pending kept one" not in other.get(url).content.decode()
    assert "Text of the pending kept one" not in Client().get(url).content.decode()
