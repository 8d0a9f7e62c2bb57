"""Who may do what: every action × guest / author / other reader / staff.

Allowed actions change what they should; refused ones answer 403, a
refusal message (400) or a redirect to log-in, and change nothing.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Flag
from tests.comments.threads import C, build, comment_state
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["guest", "author", "other", "staff"]

# action -> role -> expected outcome: "ok", "login", "back" (to the page with
# a message saying why), 403 or 400.
MATRIX = {
    "post": {"guest": "login", "author": "ok", "other": "ok", "staff": "ok"},
    "edit": {"guest": "login", "author": "ok", "other": 403, "staff": "ok"},
    "delete": {"guest": "login", "author": "ok", "other": 403, "staff": "ok"},
    # Liking one's own comment is refused with a message.
    "like": {"guest": "login", "author": "back", "other": "ok", "staff": "ok"},
    # Reporting one's own comment is refused with a message.
    "flag": {"guest": "login", "author": 400, "other": "ok", "staff": "ok"},
}


def _request(action: str, comment: Comment):
    if action == "post":
        return (
            reverse("comments:post", kwargs={"article_id": comment.article_id}),
            {"body": "A new comment"},
        )
    data = {"edit": {"body": "Changed words"}, "flag": {"reason": "spam"}}.get(action, {})
    return reverse(f"comments:{action}", kwargs={"pk": comment.pk}), data


def _changed(action: str, comment: Comment, before) -> bool:
    comment.refresh_from_db()
    return {
        "post": Comment.objects.count() == before[4] + 1,
        "edit": comment.body == "Changed words",
        "delete": comment.deleted_at is not None or comment.status == Comment.Status.REMOVED,
        "like": comment.like_count == before[3] + 1,
        "flag": Flag.objects.count() == before[6] + 1,
    }[action]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(client, article, action, role, django_capture_on_commit_callbacks):
    author = UserFactory()
    comment = build(article, [C("the comment", author=author, created_at=timezone.now())])[
        "the comment"
    ]
    actor = {"guest": None, "author": author, "other": UserFactory(), "staff": StaffFactory()}[role]
    if actor is not None:
        client.force_login(actor)
    url, data = _request(action, comment)
    before = comment_state(comment)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    expected = MATRIX[action][role]
    if expected == "ok":
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("account_login"))
        assert _changed(action, comment, before)
    else:
        if expected == "login":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login") + "?next=")
            # Back to the story, never to the POST-only action URL.
            assert article.get_absolute_url().replace("/", "%2F") in response["Location"]
        elif expected == "back":
            assert response.status_code == 302
            assert response["Location"].startswith(article.get_absolute_url())
            followed = client.get(response["Location"]).content.decode()
            assert "You cannot like your own comment." in followed
        else:
            assert response.status_code == expected
        assert comment_state(comment) == before


@pytest.mark.parametrize("role", ["guest", "other"])
@pytest.mark.parametrize("action", ["edit", "delete"])
def test_edit_and_delete_pages_are_refused_before_showing_a_form(client, article, action, role):
    comment = build(article, [C("x", author=UserFactory(), created_at=timezone.now())])["x"]
    if role == "other":
        client.force_login(UserFactory())

    response = client.get(reverse(f"comments:{action}", kwargs={"pk": comment.pk}))

    assert response.status_code == (302 if role == "guest" else 403)


def test_edit_and_delete_links_only_for_those_allowed(client, article):
    author = UserFactory()
    build(article, [C("mine", author=author, created_at=timezone.now())])
    story = article.get_absolute_url()

    guest_page = client.get(story).content.decode()
    client.force_login(UserFactory())
    other_page = client.get(story).content.decode()
    client.force_login(author)
    author_page = client.get(story).content.decode()
    client.force_login(StaffFactory())
    staff_page = client.get(story).content.decode()

    assert "comment__edit" not in guest_page and "comment__delete" not in guest_page
    assert "comment__edit" not in other_page and "comment__delete" not in other_page
    assert "comment__edit" in author_page and "comment__delete" in author_page
    assert "comment__delete" in staff_page


@pytest.mark.parametrize("name", ["post", "like"])
def test_actions_refuse_get(client, article, user, name):
    comment = build(article, [C("x")])["x"]
    client.force_login(user)
    kwargs = {"article_id": article.pk} if name == "post" else {"pk": comment.pk}

    response = client.get(reverse(f"comments:{name}", kwargs=kwargs))

    assert response.status_code == 405


@pytest.mark.parametrize("name", ["edit", "delete", "flag"])
def test_form_pages_refuse_other_methods(client, article, user, name):
    comment = build(article, [C("x", author=user, created_at=timezone.now())])["x"]
    client.force_login(user)

    response = client.put(reverse(f"comments:{name}", kwargs={"pk": comment.pk}))

    assert response.status_code == 405


def test_actions_require_csrf_token(article, user):
    comment = build(article, [C("x", author=user, created_at=timezone.now())])["x"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    like = client.post(reverse("comments:like", kwargs={"pk": comment.pk}))
    post = client.post(
        reverse("comments:post", kwargs={"article_id": article.pk}), {"body": "no token"}
    )
    delete = client.post(reverse("comments:delete", kwargs={"pk": comment.pk}))

    assert (like.status_code, post.status_code, delete.status_code) == (403, 403, 403)
    comment.refresh_from_db()
    assert comment.like_count == 0 and comment.deleted_at is None
    assert Comment.objects.count() == 1


def test_like_form_on_the_page_carries_a_working_csrf_token(article, user):
    comment = build(article, [C("x")])["x"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(article.get_absolute_url()).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    response = client.post(
        reverse("comments:like", kwargs={"pk": comment.pk}), {"csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.like_count == 1
