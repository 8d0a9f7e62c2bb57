"""Reply emails as a mail client and a reader see them: the unsubscribe
headers on the wire, and the reader's list of comments they get emails for."""

import email
import email.policy
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from comments.models import Comment
from comments.notifications import notify_reply, unsubscribe_token
from tests.comments.threads import C, build
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/comments/reply-emails/"


@pytest.fixture
def ada():
    return UserFactory(username="ada", email="ada@example.com")


@pytest.fixture
def bob():
    return UserFactory(username="bob", email="bob@example.com")


def _stop_url(comment):
    return f"/comments/reply-emails/{comment.pk}/stop/"


def _opted_in(article, author, *texts, **fields):
    rows = build(article, [C(text, author=author, **fields) for text in texts])
    Comment.objects.filter(pk__in=[row.pk for row in rows.values()]).update(notify_replies=True)
    return [rows[text] for text in texts]


# The headers on the wire ---------------------------------------------------------


def test_the_unsubscribe_headers_go_out_as_an_https_url_a_mail_client_can_use(
    article, ada, bob, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
    rows = build(article, [C("What a story.", [C("I disagree.", author=bob)], author=ada)])
    parent, reply = rows["What a story."], rows["I disagree."]
    Comment.objects.filter(pk=parent.pk).update(notify_replies=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify_reply(comment=reply)

    # What the SMTP backend sends.
    wire = mailoutbox[0].message(policy=email.policy.SMTP).as_bytes()

    url = f"https://example.com/comments/unsubscribe/{unsubscribe_token(parent)}/"
    lines = wire.decode("ascii").split("\r\n")
    assert f"List-Unsubscribe: <{url}>" in lines
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
    assert b"=?utf-8?" not in wire.split(b"\r\nList-Unsubscribe")[1]
    parsed = email.message_from_bytes(wire, policy=email.policy.default)
    assert parsed["List-Unsubscribe"] == f"<{url}>"

    # RFC 8058: a mail client POSTs that URL with no cookie and no CSRF token.
    path = url.removeprefix("https://example.com")
    mail_client = Client(enforce_csrf_checks=True)
    confirm = mail_client.get(path)
    assertContains(confirm, "Stop emails about replies to this comment")
    parent.refresh_from_db()
    assert parent.notify_replies is True  # a GET (a link scanner) changes nothing
    response = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    parent.refresh_from_db()
    assert parent.notify_replies is False


def test_the_unsubscribe_page_links_to_the_list_of_reply_emails(client, article, ada):
    (comment,) = _opted_in(article, ada, "Mine")
    path = reverse("comments_extra:unsubscribe", kwargs={"token": unsubscribe_token(comment)})

    for response in (client.get(path), client.post(path)):
        assertContains(response, f'<a href="{LIST}">', count=1)
    bad = client.get(reverse("comments_extra:unsubscribe", kwargs={"token": "forged"}))
    assertContains(bad, f'href="{LIST}"', status_code=400)
    assertNotContains(bad, "turned off from the comment", status_code=400)


# The reader's list -------------------------------------------------------------------


def test_the_list_shows_the_readers_own_comments_with_reply_emails_on(client, article, ada, bob):
    first, second = _opted_in(article, ada, "My first point", "My second point")
    build(article, [C("Emails off", author=ada)])
    _opted_in(article, ada, "Deleted one", deleted=True)
    _opted_in(article, bob, "Bob's own")
    client.force_login(ada)

    response = client.get(LIST)

    html = response.content.decode()
    assert html.index("My second point") < html.index("My first point")  # newest first
    for comment in (first, second):
        assertContains(response, f'action="{_stop_url(comment)}"')
        assertContains(response, f'href="{comment.get_absolute_url()}"')
    story_link = f'<a href="{article.get_absolute_url()}">{article.title}</a>'
    assertContains(response, story_link, count=2)
    assertContains(response, "Stop reply emails", count=2)
    for absent in ("Emails off", "Deleted one", "Bob's own"):
        assertNotContains(response, absent)


def test_stopping_one_comments_emails_from_the_list(client, article, ada):
    first, second = _opted_in(article, ada, "My first point", "My second point")
    client.force_login(ada)

    response = client.post(_stop_url(first), follow=True)

    assertRedirects(response, LIST)
    assertContains(
        response, f"You will get no more emails about replies to your comment on “{article.title}”."
    )
    assertNotContains(response, "My first point")
    assertContains(response, "My second point")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.notify_replies, second.notify_replies) == (False, True)


def test_the_list_says_when_there_is_nothing_to_stop(client, ada):
    client.force_login(ada)

    assertContains(client.get(LIST), "You get no reply emails.")


def test_the_list_is_for_signed_in_readers(client, article, ada):
    (comment,) = _opted_in(article, ada, "Mine")

    assertRedirects(
        client.get(LIST),
        f"{reverse('account_login')}?next={LIST}",
        fetch_redirect_response=False,
    )
    response = client.post(_stop_url(comment))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    comment.refresh_from_db()
    assert comment.notify_replies is True


def test_nobody_can_stop_another_readers_emails(client, article, ada, bob):
    (comment,) = _opted_in(article, ada, "Mine")
    client.force_login(bob)

    assert client.post(_stop_url(comment)).status_code == 404
    comment.refresh_from_db()
    assert comment.notify_replies is True


def test_stopping_from_the_list_needs_the_csrf_token(article, ada):
    (comment,) = _opted_in(article, ada, "Mine")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ada)

    assert browser.post(_stop_url(comment)).status_code == 403
    comment.refresh_from_db()
    assert comment.notify_replies is True


def test_the_account_navigation_links_to_the_list(client, article, ada):
    client.force_login(ada)

    for page in (reverse("articles:index"), article.get_absolute_url()):
        html = client.get(page).content.decode()
        nav = re.search(r'<nav class="account-nav".*?</nav>', html, re.S)
        assert f'<a href="{LIST}">Reply emails</a>' in nav[0]
    client.logout()
    assertNotContains(client.get(reverse("articles:index")), f'href="{LIST}"')


@pytest.mark.parametrize("count", [1, 40])
def test_the_list_costs_the_same_queries_however_long(
    client, ada, count, django_assert_num_queries
):
    stories = [ArticleFactory(published_at=timezone.now()) for _ in range(3)]
    for index in range(count):
        _opted_in(stories[index % 3], ada, f"Point {index}")
    client.force_login(ada)
    client.get(LIST)

    # The session, the reader, the count and the page of comments with their stories.
    with django_assert_num_queries(4):
        response = client.get(LIST)
    assertContains(response, "Stop reply emails", count=count)
