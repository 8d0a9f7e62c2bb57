"""Who may do what, for the roles tests/comments/test_permissions.py leaves out.

That file covers guest / author / other reader / superuser for the reader
actions. Here: the moderator (staff in the Editors group, not a superuser,
as `ensure_editor` creates), the editor (superuser) and staff without any
permission on a reader's comment, and every role on the admin's moderation
actions and text edits. Refusals change nothing: `is_staff` alone makes
nobody a moderator, on the public site as in the admin.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from articles.management.commands.ensure_editor import editors_group
from comments.models import Ban, Comment, CommentVersion, Flag, Like, ModerationAction
from tests.comments.test_admin import change_form_data
from tests.comments.threads import C, build
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status
QUEUE = "/admin/comments/comment/"
ROLES = ["guest", "author", "other", "staff", "moderator", "editor"]


def _actor(role: str, author):
    if role == "guest":
        return None
    if role == "author":
        return author
    if role == "other":
        return UserFactory()
    if role == "staff":
        return UserFactory(username="staff_without_permissions", is_staff=True)
    if role == "moderator":
        moderator = UserFactory(username="moderator", is_staff=True)
        moderator.groups.add(editors_group())
        return moderator
    return StaffFactory(username="chief_editor")


def _snapshot() -> tuple:
    return (
        tuple(
            Comment.objects.order_by("pk").values_list("body", "status", "deleted_at", "like_count")
        ),
        Like.objects.count(),
        Flag.objects.count(),
        CommentVersion.objects.count(),
        Ban.objects.count(),
        ModerationAction.objects.count(),
    )


# Reader actions by moderators and editors -----------------------------------

READER_ACTIONS = {
    "post": ({"body": "A moderator's comment"}, lambda c: Comment.objects.count() == 2),
    "edit": (
        {"body": "Tidied by staff"},
        lambda c: c.body == "Tidied by staff" and c.edited_by_moderator,
    ),
    "delete": ({}, lambda c: c.status == Status.REMOVED and c.body == "the comment"),
    "like": ({}, lambda c: c.like_count == 1),
    "flag": ({"reason": "abuse"}, lambda c: Flag.objects.filter(comment=c).count() == 1),
}


@pytest.mark.parametrize("role", ["moderator", "editor"])
@pytest.mark.parametrize("action", list(READER_ACTIONS))
def test_moderators_and_editors_on_a_readers_comment(
    client, article, role, action, django_capture_on_commit_callbacks
):
    author = UserFactory()
    comment = build(article, [C("the comment", author=author, created_at=timezone.now())])[
        "the comment"
    ]
    client.force_login(_actor(role, author))
    data, changed = READER_ACTIONS[action]
    kwargs = {"article_id": article.pk} if action == "post" else {"pk": comment.pk}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(f"comments:{action}", kwargs=kwargs), data)

    assert response.status_code == 302
    assert not response["Location"].startswith(reverse("account_login"))
    comment.refresh_from_db()
    assert changed(comment)


# Staff without permissions act as readers on the public site ------------------


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_staff_without_permissions_cannot_act_on_a_readers_comment(client, article, action):
    comment = build(article, [C("the comment", author=UserFactory(), created_at=timezone.now())])[
        "the comment"
    ]
    client.force_login(_actor("staff", None))
    before = _snapshot()

    response = client.post(
        reverse(f"comments:{action}", kwargs={"pk": comment.pk}), {"body": "Rewritten by staff"}
    )

    assert response.status_code == 403
    assert _snapshot() == before


def test_staff_without_permissions_get_no_moderation_links_and_no_held_comments(client, article):
    build(
        article,
        [
            C("A published reply", author=UserFactory()),
            C("Spam awaiting moderation", author=UserFactory(), status=Status.PENDING),
        ],
    )
    published = Comment.objects.get(body="A published reply")
    for role, sees_held in (("staff", False), ("moderator", True)):
        client.force_login(_actor(role, None))
        page = client.get(article.get_absolute_url()).content.decode()
        assert "A published reply" in page
        assert ("Spam awaiting moderation" in page) is sees_held, role
        edit_link = reverse("comments:edit", kwargs={"pk": published.pk})
        assert (edit_link in page) is sees_held, role


def test_staff_without_permissions_cannot_preview_drafts(client):
    from tests.factories import ArticleFactory

    draft = ArticleFactory(status="draft", title="Embargoed until Monday")
    moderator = _actor("moderator", None)

    client.force_login(_actor("staff", None))
    refused = client.get(draft.get_absolute_url())
    client.force_login(moderator)
    previewed = client.get(draft.get_absolute_url())

    assert refused.status_code == 404
    assert previewed.status_code == 200
    assert "Embargoed until Monday" in previewed.content.decode()


def test_staff_without_permissions_cannot_moderate_or_ban_through_the_services(article):
    from comments.services import comment_moderate, user_ban

    author = UserFactory()
    comment = build(article, [C("queued", author=author, status=Status.PENDING)])["queued"]
    staff = _actor("staff", None)
    before = _snapshot()

    with pytest.raises(PermissionDenied):
        comment_moderate(comments=[comment], moderator=staff, action="approve")
    with pytest.raises(PermissionDenied):
        user_ban(user=author, moderator=staff, reason="no")

    assert _snapshot() == before


# Moderation in the admin ------------------------------------------------------

# admin action -> (status of the comment before, status after)
ADMIN_ACTIONS = {
    "approve_selected": (Status.PENDING, Status.PUBLISHED),
    "spam_selected": (Status.PENDING, Status.SPAM),
    "not_spam_selected": (Status.SPAM, Status.PUBLISHED),
    "remove_selected": (Status.PUBLISHED, Status.REMOVED),
    "restore_selected": (Status.REMOVED, Status.PUBLISHED),
    "ban_authors": (Status.PUBLISHED, Status.PUBLISHED),
}
ALLOWED_IN_ADMIN = {"moderator", "editor"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ADMIN_ACTIONS))
def test_admin_moderation_actions(client, article, role, action):
    author = UserFactory()
    before_status, after_status = ADMIN_ACTIONS[action]
    comment = build(article, [C("queued", author=author, status=before_status)])["queued"]
    actor = _actor(role, author)
    if actor is not None:
        client.force_login(actor)
    before = _snapshot()

    response = client.post(
        f"{QUEUE}?status=all", {"action": action, "_selected_action": [comment.pk]}
    )

    comment.refresh_from_db()
    if role in ALLOWED_IN_ADMIN:
        assert response.status_code == 302
        assert not response["Location"].startswith("/admin/login/")
        assert comment.status == after_status
        if action == "ban_authors":
            assert Ban.objects.get().user == author
        else:
            assert ModerationAction.objects.get().moderator == actor
    elif role == "staff":
        assert response.status_code == 403
        assert _snapshot() == before
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        assert _snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_editing_a_comments_text_in_the_admin(client, article, role):
    author = UserFactory()
    comment = build(article, [C("Original words", author=author)])["Original words"]
    editor = StaffFactory(username="form_reader")
    client.force_login(editor)
    data = change_form_data(client, comment)
    client.logout()
    data["body"] = "Rewritten in the admin"
    actor = _actor(role, author)
    if actor is not None:
        client.force_login(actor)
    before = _snapshot()

    response = client.post(f"{QUEUE}{comment.pk}/change/", data)

    comment.refresh_from_db()
    if role == "staff":
        assert response.status_code == 403
        assert _snapshot() == before
        return
    assert response.status_code == 302
    if role in ALLOWED_IN_ADMIN:
        assert comment.body == "Rewritten in the admin"
        assert comment.edited_by_moderator is True
    else:
        assert response["Location"].startswith("/admin/login/")
        assert _snapshot() == before


@pytest.mark.parametrize("role", ["moderator", "editor"])
def test_nobody_deletes_or_adds_comments_in_the_admin(client, article, role):
    comment = build(article, [C("kept")])["kept"]
    client.force_login(_actor(role, UserFactory()))
    before = _snapshot()

    delete = client.post(f"{QUEUE}{comment.pk}/delete/", {"post": "yes"})
    add = client.get(f"{QUEUE}add/")

    assert delete.status_code == 403
    assert add.status_code == 403
    assert _snapshot() == before
