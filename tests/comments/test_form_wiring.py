"""The comment form's extras, end to end: honeypot, reply emails, privacy link, held comments."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import Comment
from tests.comments.threads import C, build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _post(client, article, HTTP_X_FORWARDED_FOR=None, **data):
    extra = {"HTTP_X_FORWARDED_FOR": HTTP_X_FORWARDED_FOR} if HTTP_X_FORWARDED_FOR else {}
    return client.post(reverse("comments:post", kwargs={"article_id": article.pk}), data, **extra)


def test_the_form_offers_reply_emails_and_links_the_privacy_page(client, article, user):
    client.force_login(user)

    response = client.get(article.get_absolute_url())

    assertContains(response, "Email me replies to this comment")
    assertContains(
        response,
        f'<a href="{reverse("privacy")}">Learn how your comment data is processed</a>',
        html=True,
    )


def test_a_filled_honeypot_is_refused_with_the_text_kept(client, article, user):
    client.force_login(user)

    response = _post(client, article, body="Buy cheap watches", website="http://spam.example")

    assert response.status_code == 400
    assertContains(response, "Buy cheap watches", status_code=400)
    assert not Comment.objects.exists()


def test_opting_in_emails_the_author_when_someone_replies(
    client, article, user, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(user)
    _post(client, article, body="Who else read the whole report?", notify_replies="on")
    first = Comment.objects.get()
    assert first.notify_replies

    replier = UserFactory()
    client.force_login(replier)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, article, body="I did, all of it.", parent=first.pk)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    assert "I did, all of it." in mailoutbox[0].body


def test_a_comment_held_as_spam_shows_to_its_author_as_awaiting_moderation(client, article, user):
    build(article, [C("Suspicious but maybe fine", author=user, status=Comment.Status.SPAM)])
    client.force_login(user)

    response = client.get(article.get_absolute_url())

    assertContains(response, "Suspicious but maybe fine")
    assertContains(response, "Awaiting moderation")
    client.force_login(UserFactory())
    assertNotContains(client.get(article.get_absolute_url()), "Suspicious but maybe fine")


def test_guests_get_a_log_in_link_instead_of_a_like_form(client, article):
    rows = build(article, [C("A fair point", likes=2)])
    pk = rows["A fair point"].pk

    response = client.get(article.get_absolute_url())

    assertNotContains(response, "data-likes-form")
    assertNotContains(response, "data-like=")
    assertContains(
        response,
        f'<a class="like-button" href="{reverse("account_login")}?next=/comments/{pk}/go/">Like</a>',
        html=True,
    )
    assert "csrftoken" not in response.cookies


def test_a_moderators_edit_is_shown_as_such(client, article, user, staff):
    from comments.services import comment_edit

    rows = build(article, [C("Original words", author=user)])
    comment_edit(comment=rows["Original words"], editor=staff, body="Words a moderator trimmed")

    response = client.get(article.get_absolute_url())

    assertContains(response, "Words a moderator trimmed")
    assertContains(response, ">edited by a moderator</a>")


@pytest.mark.parametrize(
    ("proxies", "forwarded", "stored"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy: the header is the client's word, ignored
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),  # nginx appended what it saw
        (2, "198.51.100.7, 203.0.113.9", "198.51.100.7"),
    ],
)
def test_the_stored_address_is_the_readers_behind_trusted_proxies(
    client, article, user, settings, proxies, forwarded, stored
):
    settings.NEWSROOM_PROXY_COUNT = proxies
    client.force_login(user)

    _post(client, article, body="Where am I?", HTTP_X_FORWARDED_FOR=forwarded)

    assert Comment.objects.get().ip_address == stored
