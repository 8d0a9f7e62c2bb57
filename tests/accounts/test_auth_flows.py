"""Sign-up, email verification, log in and out, password reset, throttling."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.accounts.factories import PASSWORD, verified_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a fresh and rather long passphrase"


def link_in(message, path_fragment):
    """The first absolute link in an email whose path contains `path_fragment`."""
    match = re.search(rf"https?://\S*{re.escape(path_fragment)}\S*", message.body)
    assert match, f"no {path_fragment} link in:\n{message.body}"
    return match.group(0)


def header_shows_signed_in(client, user):
    """Whether the site header, on the reader's own profile, names them and offers Log out."""
    page = client.get(reverse("accounts:profile", kwargs={"username": user.username}))
    html = page.content.decode()
    return f">{user.username}</a>" in html and ">Log out</button>" in html


def test_sign_up_sends_a_verification_email_whose_link_confirms_and_logs_in(client, mailoutbox):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "ada@example.com",
            "username": "ada",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    sent_page = client.get(response["Location"])
    assert b"Verify Your Email Address" in sent_page.content
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ada@example.com"]
    user = get_user_model().objects.get(username="ada")
    assert not header_shows_signed_in(client, user)

    confirm_url = link_in(mailoutbox[0], "/accounts/confirm-email/")
    confirm_page = client.get(confirm_url)
    assert confirm_page.status_code == 200
    assert b"ada@example.com" in confirm_page.content
    confirmed = client.post(confirm_url)

    assert confirmed.status_code == 302
    assert user.emailaddress_set.get().verified
    assert header_shows_signed_in(client, user)


def test_an_unverified_reader_cannot_log_in_and_is_sent_a_new_link(client, mailoutbox, user):
    response = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1
    assert not header_shows_signed_in(client, user)


@pytest.mark.parametrize("identifier", ["email", "username"])
def test_log_in_by_email_or_username_returns_to_the_page_the_reader_came_from(client, identifier):
    reader = verified_user(username="grace", email="grace@example.com")
    profile_url = reverse("accounts:profile", kwargs={"username": "grace"})

    response = client.post(
        reverse("account_login"),
        {"login": getattr(reader, identifier), "password": PASSWORD, "next": profile_url},
    )

    assert response.status_code == 302
    assert response["Location"] == profile_url
    assert header_shows_signed_in(client, reader)


def test_a_wrong_password_is_refused_with_an_announced_error(client):
    reader = verified_user()

    response = client.post(reverse("account_login"), {"login": reader.username, "password": "nope"})

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'role="alert".*not correct', html, re.DOTALL)
    assert not header_shows_signed_in(client, reader)


def test_repeated_wrong_passwords_are_throttled_even_when_the_right_one_follows(client):
    reader = verified_user()
    login_url = reverse("account_login")
    # allauth's default "login_failed" limit: 5 failures per account in 5 minutes.
    for _ in range(5):
        client.post(login_url, {"login": reader.username, "password": "guess"})

    response = client.post(login_url, {"login": reader.username, "password": PASSWORD})

    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content
    assert not header_shows_signed_in(client, reader)


def test_log_out_is_a_post_and_the_get_page_only_asks(client):
    reader = verified_user()
    client.force_login(reader)

    confirm = client.get(reverse("account_logout"))
    assert confirm.status_code == 200
    assert b"Are you sure you want to log out?" in confirm.content
    assert header_shows_signed_in(client, reader)

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not header_shows_signed_in(client, reader)


def test_password_reset_email_link_sets_a_new_password(client, mailoutbox):
    reader = verified_user(email="lin@example.com")

    response = client.post(reverse("account_reset_password"), {"email": "LIN@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["lin@example.com"]

    # The emailed key is swapped for a session-held one before the form shows.
    key_page = client.get(link_in(mailoutbox[0], "/accounts/password/reset/key/"), follow=True)
    assert key_page.status_code == 200
    assert b"Change Password" in key_page.content
    form_url = key_page.redirect_chain[-1][0]
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("account_reset_password_from_key_done")

    client.logout()
    refused = client.post(
        reverse("account_login"), {"login": reader.username, "password": PASSWORD}
    )
    assert refused.status_code == 200
    accepted = client.post(
        reverse("account_login"), {"login": reader.username, "password": NEW_PASSWORD}
    )
    assert accepted.status_code == 302
    assert header_shows_signed_in(client, reader)


def test_a_used_or_forged_reset_link_says_so(client):
    response = client.get("/accounts/password/reset/key/1-forged-key/", follow=True)

    assert response.status_code == 200
    assert b"Bad Token" in response.content
