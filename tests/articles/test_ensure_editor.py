"""`manage.py ensure_editor`: the staff editor account that `make run` sets up."""

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
GENERATED = re.compile(r"Generated password for 'editor': (\S+)")


@pytest.fixture(autouse=True)
def _no_editor_environment(monkeypatch):
    for name in ("NEWSROOM_EDITOR_USERNAME", "NEWSROOM_EDITOR_EMAIL", "NEWSROOM_EDITOR_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


def ensure_editor() -> str:
    out = StringIO()
    call_command("ensure_editor", stdout=out)
    return out.getvalue()


def test_first_run_creates_a_staff_editor_and_prints_a_generated_password_once():
    first = ensure_editor()
    second = ensure_editor()

    [password] = GENERATED.findall(first)
    editor = User.objects.get()
    assert editor.username == "editor" and editor.email == "editor@localhost"
    assert editor.is_staff and not editor.is_superuser
    assert len(password) >= 20 and editor.check_password(password)
    assert second.strip() == "Editor account 'editor' exists"
    assert password not in second


def test_running_again_duplicates_nothing_and_never_changes_the_password(monkeypatch):
    [password] = GENERATED.findall(ensure_editor())
    monkeypatch.setenv("NEWSROOM_EDITOR_PASSWORD", "a different long passphrase 42")
    ensure_editor()
    ensure_editor()

    editor = User.objects.get()
    assert editor.check_password(password)
    assert Group.objects.filter(name="Editors").count() == 1
    assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
    assert EmailAddress.objects.count() == 1


def test_the_editors_group_may_add_change_delete_and_view_articles_comments_and_site_pages():
    ensure_editor()
    editor = User.objects.get()
    granted = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    expected = set(
        Permission.objects.filter(
            content_type__app_label__in=["articles", "comments", "flatpages"]
        )
        .filter(codename__regex=r"^(add|change|delete|view)_")
        .values_list("codename", flat=True)
    )
    assert {"add_article", "change_source", "delete_comment", "view_tag"} <= granted == expected
    assert editor.has_perm("articles.change_article") and editor.has_perm("comments.delete_comment")
    assert editor.has_perm("flatpages.change_flatpage")  # About, Contact, comment guidelines
    assert not editor.has_perm("auth.change_user")


def test_a_password_from_the_environment_is_used_and_not_printed(monkeypatch):
    monkeypatch.setenv("NEWSROOM_EDITOR_USERNAME", "desk")
    monkeypatch.setenv("NEWSROOM_EDITOR_EMAIL", "desk@example.com")
    monkeypatch.setenv("NEWSROOM_EDITOR_PASSWORD", "orange lantern quietly 7")

    out = ensure_editor()

    editor = User.objects.get(username="desk")
    assert editor.email == "desk@example.com"
    assert editor.check_password("orange lantern quietly 7")
    assert "orange lantern" not in out and "Generated password" not in out


def test_a_weak_password_from_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("NEWSROOM_EDITOR_PASSWORD", "password")
    with pytest.raises(CommandError, match="NEWSROOM_EDITOR_PASSWORD is too weak"):
        ensure_editor()
    assert not User.objects.exists() and not Group.objects.exists()


def test_an_email_used_by_another_account_is_refused(monkeypatch):
    UserFactory(username="someone", email="editor@localhost")
    with pytest.raises(CommandError, match="Another account already uses editor@localhost"):
        ensure_editor()
    assert not User.objects.filter(username="editor").exists()


def test_an_existing_account_becomes_staff_editor_with_its_password_kept():
    UserFactory(username="editor", email="editor@localhost")
    out = ensure_editor()

    editor = User.objects.get(username="editor")
    assert out.strip() == "Editor account 'editor' exists"
    assert editor.is_staff and editor.check_password("correct horse battery staple")
    assert editor.groups.filter(name="Editors").exists()


def test_the_editor_can_sign_in_on_the_site_without_confirming_an_email(client):
    [password] = GENERATED.findall(ensure_editor())
    address = EmailAddress.objects.get()
    assert address.verified and address.primary and address.email == "editor@localhost"

    response = client.post(reverse("account_login"), {"login": "editor", "password": password})

    assert response.status_code == 302
    assert response.url == "/"
    assert client.get(reverse("admin:index")).status_code == 200
