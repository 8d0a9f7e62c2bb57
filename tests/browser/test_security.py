"""Hostile comment markup never runs, and our own pages live within their CSP."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from comments.services import comment_create
from tests.browser.helpers import csp_violations, watch_page
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.browser

HOSTILE = (
    "Look at this <script>window.__pwned = true; alert(1)</script> "
    '<a href="javascript:window.__pwned = true; alert(1)">x</a> '
    '<img src="/nothing.png" onerror="window.__pwned = true; alert(1)"> '
    '<p onmouseover="window.__pwned = true">hover me</p>'
)


def csp_console_messages(messages) -> list[str]:
    return [text for text in messages if "Content Security Policy" in text]


def test_a_hostile_comment_is_shown_as_harmless_text_and_never_runs(page):
    article = ArticleFactory()
    comment = comment_create(article=article, author=UserFactory(), body=HOSTILE)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    console = watch_page(page)

    response = page.goto(article.get_absolute_url())

    assert "script-src 'self'" in response.headers["content-security-policy"]
    card = page.locator(f"#comment-{comment.pk}")
    # Markup typed into a comment is shown as the text it is.
    expect(card.locator(".comment__body")).to_contain_text("Look at this <script>")
    expect(
        card.locator(".comment__body script, .comment__body img, .comment__body [onmouseover]")
    ).to_have_count(0)
    # A typed link is shown as the text it is, never made a link.
    expect(card.locator(".comment__body a")).to_have_count(0)
    card.get_by_text("hover me").hover()

    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []
    # Sanitized on write: the stored HTML holds none of it either.
    stored = Comment.objects.get(pk=comment.pk).body_html.lower()
    assert "<script" not in stored
    assert re.search(r"<a\s[^>]*href=\"javascript:", stored) is None  # as text, it is harmless
    assert re.search(r"<[a-z]+[^>]*\son[a-z]+=", stored) is None
    assert csp_violations(page) == [], "the page's own markup broke its CSP"
    assert csp_console_messages(console) == []


def test_story_page_and_its_script_raise_no_csp_violations(signed_in, demo_story):
    page = signed_in(UserFactory())
    console = watch_page(page)
    page.goto(demo_story.get_absolute_url())
    root = Comment.objects.get(article=demo_story, level=0)

    # Exercise the script: reply in place, like, collapse, quote.
    page.locator(f"#comment-{root.pk}").get_by_role("link", name="Reply").click()
    page.get_by_role("button", name="Cancel reply").click()
    page.locator(f"#comment-{root.pk}").get_by_role("button", name="Like").click()
    expect(page.locator(f"#comment-{root.pk} .comment__likes")).to_have_text("Liked by 5 people")
    page.locator("details.comment-replies > summary").click()

    assert csp_violations(page) == []
    assert csp_console_messages(console) == []
    assert console == []
