"""Sign up with email verification, log out, log in again: all through the real pages."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "a long and memorable passphrase"


def confirmation_path(message) -> str:
    match = re.search(r"https?://\S*/accounts/confirm-email/\S+", message.body)
    assert match, f"no confirmation link in:\n{message.body}"
    return urlsplit(match.group(0)).path


def test_a_reader_signs_up_verifies_their_email_logs_out_and_logs_in(page, mailoutbox):
    page.goto("/")
    account_nav = page.get_by_role("navigation", name="Account")
    account_nav.get_by_role("link", name="Sign up").click()

    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Username").fill("ada")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")
    ada = get_user_model().objects.get(username="ada")
    assert ada.email == "ada@example.com"
    assert not EmailAddress.objects.get(user=ada).verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ada@example.com"]

    page.goto(confirmation_path(mailoutbox[0]))
    expect(page.locator("main")).to_contain_text("ada@example.com")
    page.get_by_role("button", name="Confirm").click()

    assert EmailAddress.objects.get(user=ada).verified
    account_nav = page.get_by_role("navigation", name="Account")
    expect(account_nav.get_by_role("link", name="ada")).to_be_visible()

    account_nav.get_by_role("button", name="Log out").click()
    account_nav = page.get_by_role("navigation", name="Account")
    expect(account_nav.get_by_role("link", name="Log in")).to_be_visible()
    expect(account_nav.get_by_role("link", name="ada")).to_have_count(0)

    account_nav.get_by_role("link", name="Log in").click()
    page.get_by_label("Username or email").fill("ada@example.com")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(
        page.get_by_role("navigation", name="Account").get_by_role("link", name="ada")
    ).to_be_visible()
    ada.refresh_from_db()
    assert ada.last_login is not None


def test_a_wrong_password_is_refused_with_a_message(page, mailoutbox):
    user = get_user_model().objects.create_user("grace", "grace@example.com", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("grace")
    page.get_by_label(re.compile(r"^Password:?$")).fill("not the password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert").first).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in")
    ).to_be_visible()
