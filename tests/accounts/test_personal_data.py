"""Readers own their data: they can download everything held about them, and
close their account, which erases it while their threads keep their shape."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.selectors import EXPORTED, NOT_EXPORTED, personal_data_export
from articles.management.commands.ensure_editor import editors_group
from comments.models import Ban, Comment, CommentVersion, Flag, Like
from comments.services import comment_create, comment_edit, comment_flag, like_toggle, user_ban
from tests.comments.conftest import tree_problems
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "correct horse battery staple"


@pytest.fixture
def story():
    return ArticleFactory(title="Harbour reopens")


@pytest.fixture
def leaver(story):
    """A reader with one of everything: a comment edited once, in the middle
    of a thread; a like, a report, a reply-email subscription and a ban."""
    leaver = UserFactory(username="leaver", first_name="Lee")
    EmailAddress.objects.create(user=leaver, email="lee@example.com", verified=True, primary=True)
    SocialAccount.objects.create(user=leaver, provider="google", uid="g-123")
    others = UserFactory(username="ann"), UserFactory(username="bob")
    root = comment_create(article=story, author=others[0], body="The root.")
    middle = comment_create(
        article=story, author=leaver, body="Lee's words, call 555-0100", parent=root,
        ip_address="203.0.113.5", user_agent="LeeBrowser/1.0", notify_replies=True,
    )
    comment_edit(comment=middle, editor=leaver, body="Lee's middle comment")
    comment_create(article=story, author=others[1], body="A reply under Lee.", parent=middle)
    like_toggle(comment=root, user=leaver)
    comment_flag(comment=root, user=leaver, reason=Flag.Reason.OFF_TOPIC, note="Lee's note")
    user_ban(
        user=leaver,
        moderator=StaffFactory(),
        reason="A cooling-off day",
        until=timezone.now() + timedelta(days=1),
        note="Desk thinks Lee is a sock puppet of ann",
    )
    return leaver


def _download(client, user) -> dict:
    client.force_login(user)
    response = client.get(reverse("accounts:data"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="newsroom-data-')
    return json.loads(response.content)


# Download my data ----------------------------------------------------------------


def test_the_download_holds_everything_about_the_reader_and_nothing_of_others(client, leaver):
    data = _download(client, leaver)

    assert data["profile"]["username"] == "leaver" and data["profile"]["first_name"] == "Lee"
    assert data["email_addresses"] == [
        {"email": "lee@example.com", "verified": True, "primary": True}
    ]
    assert data["sign_in"]["password"] is True
    assert [a["provider"] for a in data["sign_in"]["social_accounts"]] == ["google"]
    [comment] = data["comments"]
    assert comment["text"] == "Lee's middle comment" and comment["status"] == "published"
    assert comment["ip_address"] == "203.0.113.5"
    assert [v["text"] for v in comment["earlier_versions"]] == ["Lee's words, call 555-0100"]
    assert len(data["likes"]) == 1
    assert data["reports"][0]["note"] == "Lee's note"
    assert data["reply_email_subscriptions"] == [{"comment": comment["id"], "story": "Harbour reopens"}]
    assert data["bans"][0]["reason"] == "A cooling-off day"
    [banned] = data["ban_history"]
    assert banned["action"] == "ban" and banned["reason"].startswith("A cooling-off day (until ")
    text = json.dumps(data)
    assert "The root." not in text and "A reply under Lee." not in text and "ann@" not in text
    assert "sock puppet" not in text  # the moderators' internal note on the ban


def test_the_download_needs_a_signed_in_reader(client):
    response = client.get(reverse("accounts:data"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_every_model_that_points_at_a_reader_is_in_the_download():
    """A new model holding personal data fails here until it is exported."""
    found = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.concrete
        and (field.many_to_one or field.one_to_one)
        and field.related_model is User
    }
    missing = found - set(EXPORTED) - set(NOT_EXPORTED)
    assert missing == set(), f"personal data not in the download: {sorted(missing)}"


def test_each_part_of_the_download_is_filled_for_a_reader_who_has_it(leaver, story):
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(editors_group())
    theirs = Comment.objects.get(body="The root.")
    comment_edit(comment=theirs, editor=moderator, body="The root, tidied.")
    Ban.objects.create(user=UserFactory(), created_by=moderator)

    theirs, staffs = personal_data_export(user=leaver), personal_data_export(user=moderator)
    moderation = staffs["moderation"]

    for section in set(EXPORTED.values()):
        assert theirs[section] or staffs[section], section
    assert moderation["actions"] and moderation["others_edited"] and moderation["bans_made"]


# Close my account ----------------------------------------------------------------


def _close(client, user, **data):
    client.force_login(user)
    return client.post(reverse("accounts:delete"), {"password": PASSWORD, **data})


def test_a_wrong_password_closes_nothing(client, leaver):
    response = _close(client, leaver, password="not it")

    assertContains(response, "That is not your password; nothing was deleted.", status_code=400)
    assert User.objects.filter(pk=leaver.pk).exists()


def test_closing_keeps_the_thread_and_erases_the_reader(client, leaver, story):
    guest = Client()
    url = story.get_absolute_url()
    assertContains(guest.get(url), "leaver")  # the guest page is stored now
    middle = Comment.objects.get(author=leaver)
    root = Comment.objects.get(body="The root.")

    response = _close(client, leaver)

    assert response["Location"] == reverse("accounts:deleted")
    assert not User.objects.filter(username="leaver").exists()
    page = guest.get(url).content.decode()
    assert "leaver" not in page and "Lee's" not in page
    assert "[deleted]" in page and "A reply under Lee." in page
    reply = Comment.objects.get(body="A reply under Lee.")
    assert reply.parent_id == middle.pk
    middle.refresh_from_db()
    assert (middle.body, middle.body_html, middle.author_id, middle.ip_address) == ("", "", None, None)
    assert middle.user_agent == "" and not middle.notify_replies
    assert not CommentVersion.objects.filter(comment=middle).exists()
    root.refresh_from_db()
    assert root.like_count == 0 and not Like.objects.exists()
    flag = Flag.objects.get()
    assert flag.user_id is None and flag.comment_id == root.pk  # kept for moderators, unnamed
    assert not EmailAddress.objects.filter(email="lee@example.com").exists()
    assert not SocialAccount.objects.exists() and not Ban.objects.exists()
    assert tree_problems() == []


def test_closing_signs_the_reader_out_everywhere(leaver):
    phone, laptop = Client(), Client()
    phone.force_login(leaver)
    laptop.force_login(leaver)

    _close(laptop, leaver)

    data = phone.get(reverse("accounts:data"))
    assert data.status_code == 302 and data["Location"].startswith(reverse("account_login"))


def test_a_reader_may_have_their_unanswered_comments_removed_entirely(client, leaver, story):
    Ban.objects.filter(user=leaver).delete()
    lone = comment_create(article=story, author=leaver, body="Nobody answered this.")
    answered = Comment.objects.get(author=leaver, body="Lee's middle comment")

    _close(client, leaver, remove_comments="on")

    assert not Comment.objects.filter(pk=lone.pk).exists()
    assert Comment.objects.filter(pk=answered.pk, deleted_at__isnull=False).exists()
    assert tree_problems() == []


def test_a_reader_without_a_password_confirms_by_an_emailed_link(client, story):
    social = UserFactory(username="social", email="social@example.com")
    social.set_unusable_password()
    social.save()
    client.force_login(social)

    response = client.post(reverse("accounts:delete"), {})

    assertContains(response, "We have emailed you a link")
    assert User.objects.filter(pk=social.pk).exists()
    [message] = mail.outbox
    link = next(line for line in message.body.splitlines() if "/my-account/close/" in line)
    path = link[link.index("/my-account/") :]
    # Signed, not secret: the link must not carry the password hash.
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert social.password not in json.dumps(signing.loads(token, salt="accounts.delete"))
    assertContains(client.get(path), "Close your account?")
    tampered = path[:-3] + "abc/"
    assertContains(client.post(tampered), "Nothing was deleted.", status_code=400)
    assert User.objects.filter(pk=social.pk).exists()

    client.post(path)

    assert not User.objects.filter(pk=social.pk).exists()


def test_an_expired_link_closes_nothing(client, settings):
    social = UserFactory(username="social")
    social.set_unusable_password()
    social.save()
    client.force_login(social)
    from accounts.views import _delete_token

    token = _delete_token(social)
    two_days_on = (timezone.now() + timedelta(days=2)).timestamp()

    with mock.patch("time.time", return_value=two_days_on):
        response = client.post(reverse("accounts:delete-confirm", kwargs={"token": token}))

    assertContains(response, "Nothing was deleted.", status_code=400)
    assert User.objects.filter(pk=social.pk).exists()


def test_the_privacy_page_and_the_profile_say_how(client, user):
    client.force_login(user)

    assertContains(client.get(f"/people/{user.username}/"), reverse("accounts:data"))
    assertContains(client.get("/privacy/comments/"), "Close my account")


# Staff, for a reader who asks by email --------------------------------------------


def test_staff_close_an_account_from_the_admin_after_confirming(client, leaver):
    client.force_login(StaffFactory())
    data = {"action": "close_accounts", "_selected_action": [leaver.pk]}

    confirm = client.post("/admin/auth/user/", data)
    assertContains(confirm, "Yes, close 1 account")
    assert User.objects.filter(pk=leaver.pk).exists()

    done = client.post("/admin/auth/user/", {**data, "confirmed": "yes"})

    assert done.status_code == 302
    assert not User.objects.filter(pk=leaver.pk).exists()
    assert Comment.objects.get(body="").deleted_at is not None


def test_the_editors_group_cannot_close_accounts(client, leaver):
    editor = UserFactory(is_staff=True)
    editor.groups.add(editors_group())
    client.force_login(editor)

    response = client.post(
        "/admin/auth/user/",
        {"action": "close_accounts", "_selected_action": [leaver.pk], "confirmed": "yes"},
    )

    assert response.status_code == 403
    assert User.objects.filter(pk=leaver.pk).exists()
    assertNotContains(response, "Closed", status_code=403)


def test_a_staff_members_download_names_no_one_they_acted_on(client):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    staff = StaffFactory()
    reader = UserFactory(email="someone.else@example.com")
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(reader.pk),
        object_repr="someone.else@example.com",
        action_flag=CHANGE,
        change_message="Changed email to someone.else@example.com",
    )

    data = personal_data_export(user=staff)

    [entry] = data["moderation"]["admin_log"]
    assert entry["object_id"] == str(reader.pk) and entry["action"]
    assert "someone.else" not in json.dumps(data)
