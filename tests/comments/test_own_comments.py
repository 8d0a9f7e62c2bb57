"""Nobody likes or reports their own comment: neither is offered, and both are refused.
A held comment offers no Like, Reply or Report to anyone until it is published."""

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

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


def _offered(page: str, comment) -> dict[str, bool]:
    """Which actions `page` offers on `comment`."""
    return {
        "like": f'data-like="{comment.pk}"' in page,
        "reply": reverse("comments:reply", kwargs={"pk": comment.pk}) in page,
        "report": reverse("comments:flag", kwargs={"pk": comment.pk}) in page,
        "delete": reverse("comments:delete", kwargs={"pk": comment.pk}) in page,
    }


def test_a_held_comment_offers_its_author_no_like_reply_or_report(client, article):
    author = UserFactory()
    rows = build(
        article,
        [
            C("held", author=author, status=Comment.Status.PENDING),
            C("published", author=UserFactory()),
        ],
    )
    client.force_login(author)

    for url in (
        article.get_absolute_url(),
        reverse("comments:detail", kwargs={"pk": rows["held"].pk}),
    ):
        page = client.get(url).content.decode()
        assert "Awaiting moderation" in page
        assert _offered(page, rows["held"]) == {
            "like": False, "reply": False, "report": False, "delete": True,
        }  # fmt: skip
    page = client.get(article.get_absolute_url()).content.decode()
    assert _offered(page, rows["published"]) == {
        "like": True, "reply": True, "report": True, "delete": False,
    }  # fmt: skip


def test_a_moderator_is_offered_no_like_or_reply_on_a_held_comment(client, article):
    from articles.management.commands.ensure_editor import editors_group
    from tests.factories import StaffFactory

    moderator = StaffFactory(is_superuser=False)
    moderator.groups.add(editors_group())
    held = build(article, [C("held", author=UserFactory(), status=Comment.Status.PENDING)])["held"]
    client.force_login(moderator)

    page = client.get(article.get_absolute_url()).content.decode()

    assert "held" in page
    assert _offered(page, held) == {"like": False, "reply": False, "report": False, "delete": True}


def test_replying_to_a_held_comment_is_refused_with_the_reason(client, article):
    author = UserFactory()
    held = build(article, [C("held", author=author, status=Comment.Status.PENDING)])["held"]
    client.force_login(author)

    form = client.get(reverse("comments:reply", kwargs={"pk": held.pk}))
    posted = client.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        {"body": "Adding to what I said", "parent": held.pk},
    )

    reason = "This comment is awaiting moderation, so it cannot be replied to"
    assert form.status_code == 403
    assertContains(form, reason, status_code=403)
    assertNotContains(form, 'name="body"', status_code=403)
    assert posted.status_code == 400
    assertContains(posted, reason, status_code=400)
    assertContains(posted, "Adding to what I said", status_code=400)  # the text is kept
    assert Comment.objects.count() == 1
