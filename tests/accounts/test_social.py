"""Social sign-in shows exactly the providers that have credentials."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.contrib.sites.models import Site
from django.urls import reverse

pytestmark = pytest.mark.django_db

HEADING = "Please log in using one of these methods"
LINKS = {
    "Google": "/accounts/google/login/",
    "X": "/accounts/twitter_oauth2/login/",
    "Facebook": "/accounts/facebook/login/",
}


def providers(*configured):
    """SOCIALACCOUNT_PROVIDERS as settings builds it when only `configured` have credentials."""
    return {
        provider: {"APPS": [{"client_id": f"{provider}-id", "secret": "s3cret"}]}
        if provider in configured
        else {"APPS": []}
        for provider in ("google", "twitter_oauth2", "facebook")
    }


def shown_providers(client):
    html = client.get(reverse("account_login")).content.decode()
    return {name for name, link in LINKS.items() if f'href="{link}' in html}, HEADING in html


def test_without_credentials_there_is_no_social_section(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers()

    html = client.get(reverse("account_login")).content.decode()

    assert HEADING not in html
    assert "social-providers" not in html
    assert shown_providers(client) == (set(), False)


def test_only_providers_with_credentials_in_settings_are_offered(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers("google", "facebook")

    assert shown_providers(client) == ({"Google", "Facebook"}, True)


def test_all_three_providers_when_all_are_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers("google", "twitter_oauth2", "facebook")

    response = client.get(reverse("account_login"))

    assert shown_providers(client) == ({"Google", "X", "Facebook"}, True)
    section = response.content.decode().split(HEADING, 1)[1]
    assert ">Google</a>" in section and ">X</a>" in section and ">Facebook</a>" in section


def test_a_social_application_added_in_the_admin_for_this_site_is_offered(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers()
    app = SocialApp.objects.create(
        provider="twitter_oauth2", name="X", client_id="x-id", secret="s"
    )
    app.sites.add(Site.objects.get_current())

    assert shown_providers(client) == ({"X"}, True)


def test_a_social_application_for_another_site_is_not_offered(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers()
    other = Site.objects.create(domain="elsewhere.example.com", name="Elsewhere")
    app = SocialApp.objects.create(provider="google", name="Google", client_id="g-id", secret="s")
    app.sites.add(other)

    assert shown_providers(client) == (set(), False)


def test_the_provider_button_leads_to_a_confirmation_page_in_the_site_chrome(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers("google")

    response = client.get(LINKS["Google"] + "?process=login")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="skip-link"' in html
    assert '<form class="account-form" method="post"' in html
