"""Nobody likes or reports their own comment: neither is offered, and both are refused."""

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.exceptions import CommentError
from comments.models import Comment, Like
from comments.services import like_toggle
from tests.comments.threads import C, build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _actions(page: str, comment) -> tuple[bool, bool, bool]:
    """(Like button, Report link, Edit link) offered on `comment` in `page`."""
    return (
        f'data-like="{comment.pk}"' in page,
        reverse("comments:flag", kwargs={"pk": comment.pk}) in page,
        reverse("comments:edit", kwargs={"pk": comment.pk}) in page,
    )


@pytest.mark.parametrize("with_held_comment", [False, True])
def test_the_author_is_offered_neither_like_nor_report_on_their_own_comment(
    client, article, with_held_comment
):
    author = UserFactory()
    rows = build(
        article,
        [
            C("mine", author=author, created_at=timezone.now()),
            C("theirs", author=UserFactory(), created_at=timezone.now()),
        ],
    )
    if with_held_comment:  # the author's page is then rendered for them alone
        build(article, [C("held", author=author, status=Comment.Status.PENDING)])
    client.force_login(author)

    for _ in range(2):  # rendered, then from the cache
        page = client.get(article.get_absolute_url()).content.decode()
        assert _actions(page, rows["mine"]) == (False, False, True)
        assert _actions(page, rows["theirs"]) == (True, True, False)

    client.force_login(UserFactory())
    page = client.get(article.get_absolute_url()).content.decode()
    assert _actions(page, rows["mine"]) == (True, True, False)


def test_liking_ones_own_comment_is_refused(client, article):
    author = UserFactory()
    mine = build(article, [C("mine", author=author)])["mine"]

    with pytest.raises(CommentError, match="your own comment"):
        like_toggle(comment=mine, user=author)

    client.force_login(author)
    response = client.post(
        reverse("comments:like", kwargs={"pk": mine.pk}), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "You cannot like your own comment."
    assert not Like.objects.exists()
    mine.refresh_from_db()
    assert mine.like_count == 0
