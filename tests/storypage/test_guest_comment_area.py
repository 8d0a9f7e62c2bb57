"""Under "Leave a reply" a guest finds every way to sign in and how their comment
data is processed, as on the page we archive; signed-in readers get the same note."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils.http import urlencode
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

PRIVACY_LINK = '<a href="/privacy/comments/">Learn how your comment data is processed</a>'


def _back_to_form(story) -> str:
    return urlencode({"next": f"{story.get_absolute_url()}#comment-form"})


def test_a_guest_gets_the_ways_to_sign_in_and_the_privacy_note(client, article):
    page = client.get(article.get_absolute_url())

    assertContains(page, '<h3 id="respond-heading">Leave a reply</h3>', html=True)
    assertContains(
        page, f'<a href="{reverse("account_login")}?{_back_to_form(article)}">Log in to reply</a>',
        html=True,
    )
    assertContains(
        page,
        f'<a href="{reverse("account_signup")}?{_back_to_form(article)}">create an account</a>',
        html=True,
    )
    assertContains(page, "Comments are checked for spam on this site’s own servers.")
    assertNotContains(page, "Akismet")
    assertContains(page, PRIVACY_LINK, html=True)
    assertNotContains(page, "Log in with")


def test_the_note_names_akismet_only_when_it_is_on(client, article, settings):
    settings.AKISMET_API_KEY = "a-key"

    page = client.get(article.get_absolute_url())

    assertContains(page, "This site uses Akismet to reduce spam.")
    assertNotContains(page, "on this site’s own servers")


def test_a_social_provider_added_in_the_admin_appears_for_guests_at_once(client, article):
    url = article.get_absolute_url()
    assertNotContains(client.get(url), "Log in with Google")  # stored for guests now

    app = SocialApp.objects.create(provider="google", name="Google", client_id="id", secret="s")
    app.sites.add(Site.objects.get_current())

    page = client.get(url)
    assertContains(page, "Log in with Google")
    assertContains(page, f"/accounts/google/login/?process=login&amp;{_back_to_form(article)}")

    app.delete()
    assertNotContains(client.get(url), "Log in with Google")


def test_a_signed_in_reader_gets_the_form_and_the_same_note(client, article, user):
    client.force_login(user)

    page = client.get(article.get_absolute_url())

    assertContains(page, "Leave a reply")
    assertContains(page, 'id="comment-form"')
    assertNotContains(page, "Log in to reply")
    assertContains(page, "Comments are checked for spam on this site’s own servers.")
    assertContains(page, PRIVACY_LINK, html=True)


def test_a_closed_story_offers_no_reply_area(client):
    closed = ArticleFactory(comments_open=False)

    page = client.get(closed.get_absolute_url())

    assertContains(page, "Comments are closed.")
    assertNotContains(page, "Leave a reply")
    assertNotContains(page, "Log in to reply")
