"""What a commenter's text becomes on the page: typed links and invisible text."""

import importlib
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments.formatting import render_comment
from comments.models import Comment, CommentVersion
from tests.comments.threads import C, build

pytestmark = pytest.mark.django_db

DISGUISED = '<a href="https://evil.example/phish">bbc.co.uk/news</a>'
# What the old rules stored for it: a link reading "bbc.co.uk/news" to evil.example.
OLD_DISGUISED_HTML = (
    '<p><a href="https://evil.example/phish" rel="nofollow ugc noopener">bbc.co.uk/news</a></p>'
)


def _post(client, article, body):
    return client.post(reverse("comments:post", kwargs={"article_id": article.pk}), {"body": body})


def _links(page: str) -> list[tuple[str, str]]:
    """(address, text) of every link in the page's comment bodies."""
    bodies = re.findall(r'<div class="comment__body"[^>]*>(.*?)</div>', page, re.DOTALL)
    return [
        (href, text)
        for body in bodies
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', body, re.DOTALL)
    ]


# Typed links -------------------------------------------------------------------


def test_a_disguised_link_shows_as_typed_and_links_only_to_where_it_says(
    client, article, user, settings
):
    settings.NEWSROOM_HOLD_LINK_COUNT = 0  # the link rule has its own test below
    client.force_login(user)
    _post(client, article, f"Full story: {DISGUISED}")
    client.logout()

    page = client.get(article.get_absolute_url()).content.decode()

    assert 'Full story: &lt;a href="https://evil.example/phish"&gt;' in page
    assert _links(page) == [("http://bbc.co.uk/news", "bbc.co.uk/news")]
    assert '<a href="https://evil.example' not in page


def test_every_typed_link_is_shown_as_text(client, article, user, settings):
    settings.NEWSROOM_HOLD_LINK_COUNT = 0
    client.force_login(user)
    _post(
        client,
        article,
        "See <A HREF='https://example.com/x'>my blog</A> and <a href=https://example.org>here</a>",
    )

    page = client.get(article.get_absolute_url()).content.decode()

    assert "my blog&lt;/A&gt;" in page
    assert "here&lt;/a&gt;" in page
    # Each address shown is linked as itself, never under other words.
    assert all(text == href for href, text in _links(page)), _links(page)


def test_bare_addresses_and_typed_formatting_still_work(client, article, user):
    client.force_login(user)
    _post(client, article, "Read https://example.com/report — <em>really</em>.")

    page = client.get(article.get_absolute_url())

    assertContains(
        page,
        '<p>Read <a href="https://example.com/report" rel="nofollow ugc noopener">'
        "https://example.com/report</a> — <em>really</em>.</p>",
        html=True,
    )


def test_a_disguised_link_counts_for_the_link_rule(client, article, user, settings):
    settings.NEWSROOM_HOLD_LINK_COUNT = 2
    client.force_login(user)

    _post(client, article, f"Full story: {DISGUISED}")

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.hold_reason == "Contains 2 links"
    client.logout()
    assertNotContains(client.get(article.get_absolute_url()), "bbc.co.uk/news")


# Stored HTML from before ---------------------------------------------------------


def _old_disguised_comment(article):
    """A comment and an earlier version stored under the old rules."""
    comment = build(article, [C(f"Full story: {DISGUISED}", edited=True)])[
        f"Full story: {DISGUISED}"
    ]
    Comment.objects.filter(pk=comment.pk).update(body_html=OLD_DISGUISED_HTML)
    CommentVersion.objects.create(
        comment=comment, body=DISGUISED, body_html=OLD_DISGUISED_HTML, created_at=comment.created_at
    )
    return comment


def test_the_migration_rerenders_disguised_links_stored_before(client, article):
    comment = _old_disguised_comment(article)
    migration = importlib.import_module("comments.migrations.0006_rerender_typed_links")

    migration.rerender_typed_links(apps, None)

    comment.refresh_from_db()
    assert comment.body_html == render_comment(comment.body)
    page = client.get(article.get_absolute_url()).content.decode()
    history = client.get(reverse("comments:history", kwargs={"pk": comment.pk})).content.decode()
    for html in (page, history):
        assert '<a href="https://evil.example' not in html
        assert "&lt;a href=" in html


def test_the_rerender_command_fixes_stored_html_and_cached_pages(client, article):
    comment = _old_disguised_comment(article)
    untouched = build(article, [C("plain words")])["plain words"]
    assertContains(client.get(article.get_absolute_url()), '<a href="https://evil.example/phish"')

    call_command("rerender_comments", "--containing", "<a")

    page = client.get(article.get_absolute_url()).content.decode()
    assert '<a href="https://evil.example' not in page  # the cached page was replaced
    assert CommentVersion.objects.get(comment=comment).body_html == render_comment(DISGUISED)
    untouched.refresh_from_db()
    assert untouched.body_html == "<p>plain words</p>"


# Invisible text -------------------------------------------------------------------

INVISIBLE = [
    "\u200b",
    "\u200b\u200c\u200d\u2060\ufeff",
    "\u00a0\u202f\u200b",
    "\u3000\u2800\u3164",
    "<em>\u200b</em>",
    "> \u200b",
    "\u200e\u034f\ufe0f",
]


@pytest.mark.parametrize("body", INVISIBLE)
def test_a_comment_with_no_visible_character_is_refused(client, article, user, body):
    client.force_login(user)

    response = _post(client, article, body)

    assertContains(response, "This comment has no visible text", status_code=400)
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body", INVISIBLE)
def test_an_edit_to_invisible_text_is_refused_and_keeps_the_comment(client, article, user, body):
    comment = build(article, [C("Something to say", author=user, created_at=timezone.now())])[
        "Something to say"
    ]
    client.force_login(user)

    response = client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": body})

    assertContains(response, "This comment has no visible text", status_code=400)
    comment.refresh_from_db()
    assert comment.body == "Something to say"


@pytest.mark.parametrize("body", ["a\u200b", "\u200b😀", "\u00a0.", "שלום\u200f", "e\u0301"])
def test_text_with_something_visible_is_posted(client, article, user, body):
    client.force_login(user)

    _post(client, article, body)

    assert Comment.objects.get().body == body.strip()
