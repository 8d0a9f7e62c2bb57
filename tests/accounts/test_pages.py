"""Account pages wear the site's chrome, obey the CSP and are accessible; the header's account links."""

import re

import pytest
from django.urls import reverse

from tests.accounts.factories import verified_user
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

GUEST_PAGES = [
    reverse("account_login"),
    reverse("account_signup"),
    reverse("account_reset_password"),
    reverse("account_reset_password_done"),
    reverse("account_email_verification_sent"),
    reverse("account_confirm_email", kwargs={"key": "not-a-real-key"}),
    "/accounts/password/reset/key/1-forged-key/",
    reverse("account_reset_password_from_key_done"),
]
SIGNED_IN_PAGES = [
    reverse("account_logout"),
    reverse("account_change_password"),
    reverse("account_email"),
]

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def input_tag(html, name):
    """The whole <input> tag for the field called `name`."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no {name} input"
    return match.group(0)


def assert_site_page(response):
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<header class="site-header">' in html
    assert '<main id="main"' in html
    assert '<footer class="site-footer">' in html
    assert INLINE_SCRIPT.findall(html) == []
    assert "style=" not in html
    return html


@pytest.mark.parametrize("url", GUEST_PAGES)
def test_guest_account_pages_render_inside_the_site(client, url):
    assert_site_page(client.get(url, follow=True))


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_signed_in_account_pages_render_inside_the_site(client, url):
    client.force_login(verified_user())

    assert_site_page(client.get(url))


def test_profile_page_renders_inside_the_site(client):
    assert_site_page(
        client.get(reverse("accounts:profile", kwargs={"username": UserFactory().username}))
    )


def test_account_pages_are_titled_after_the_page(client):
    html = client.get(reverse("account_login")).content.decode()

    assert re.search(r"<title>\s*Log in · Newsroom</title>", html)
    assert "<h1>Log in</h1>" in html


def test_signup_fields_are_labelled_and_autocompletable(client):
    html = client.get(reverse("account_signup")).content.decode()

    for name, autocomplete in [
        ("email", "email"),
        ("username", "username"),
        ("password1", "new-password"),
    ]:
        assert f'<label for="id_{name}">' in html
        assert f'autocomplete="{autocomplete}"' in input_tag(html, name)


def test_field_errors_are_tied_to_their_input(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-email", "username": "newbie", "password1": "x", "password2": "y"},
    )

    html = response.content.decode()
    email_input = input_tag(html, "email")
    assert 'aria-invalid="true"' in email_input
    assert 'aria-describedby="id_email_error"' in email_input
    assert 'id="id_email_error"' in html
    assert re.search(r'role="alert">\s*<p>Please correct the fields marked below.</p>', html)


def test_login_field_says_what_it_takes(client, settings):
    settings.ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}

    html = client.get(reverse("account_login")).content.decode()

    assert '<label for="id_login">Username or email:</label>' in html
    assert 'autocomplete="username"' in input_tag(html, "login")


def test_guest_header_offers_log_in_back_to_this_page_and_sign_up(client):
    page = reverse("accounts:profile", kwargs={"username": UserFactory().username})

    html = client.get(page + "?page=1").content.decode()

    login = reverse("account_login")
    assert f'<a href="{login}?next=%2Fpeople%2F' in html
    assert "%3Fpage%3D1" in html
    assert f'<a href="{reverse("account_signup")}">Sign up</a>' in html
    assert "Log out" not in html


def test_log_in_link_on_the_log_in_page_does_not_point_back_at_itself(client):
    html = client.get(reverse("account_login")).content.decode()

    assert f'<a href="{reverse("account_login")}">Log in</a>' in html


def test_signed_in_header_names_the_reader_and_logs_out_by_post(client):
    reader = UserFactory(username="ada")
    client.force_login(reader)

    html = client.get(reverse("accounts:profile", kwargs={"username": "ada"})).content.decode()

    assert '<a href="/people/ada/">ada</a>' in html
    assert re.search(
        rf'<form[^>]*method="post"[^>]*action="{reverse("account_logout")}">\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>\s*'
        r'<button type="submit">Log out</button>',
        html,
    )
    assert ">Log in</a>" not in html
    assert "Admin" not in html


def test_staff_header_links_to_the_admin(client):
    editor = StaffFactory()
    client.force_login(editor)

    html = client.get(
        reverse("accounts:profile", kwargs={"username": editor.username})
    ).content.decode()

    assert f'<a href="{reverse("admin:index")}">Admin</a>' in html
