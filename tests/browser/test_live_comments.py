"""New comments announced while a story is open (static/js/live.js)."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from comments.services import comment_create
from tests.browser.axe import assert_accessible
from tests.browser.helpers import watch_page
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

# Fast enough for a test, slow enough that the notice has to wait for a poll.
POLL_SECONDS = 0.3


@pytest.fixture(autouse=True)
def _fast_polls(settings):
    settings.NEWSROOM_LIVE_POLL_SECONDS = POLL_SECONDS


def test_a_comment_someone_else_publishes_is_announced_and_shown(page, demo_story):
    errors = watch_page(page)
    page.goto(demo_story.get_absolute_url())
    notice = page.locator("[data-live-notice]")
    expect(notice).to_have_attribute("aria-live", "polite")
    page.wait_for_timeout(POLL_SECONDS * 1000 * 3)  # a few polls with nothing new
    expect(notice).to_be_empty()

    comment = comment_create(
        article=demo_story, author=UserFactory(username="newcomer"), body="Just in: a reply"
    )

    # The backoff reaches at most 8 intervals between polls.
    expect(notice).to_have_text("1 new comment — show", timeout=POLL_SECONDS * 1000 * 8 + 4000)
    assert_accessible(page)
    notice.get_by_role("link", name="show").click()

    shown = page.locator(f"#comment-{comment.pk}")
    expect(shown).to_contain_text("Just in: a reply")
    expect(shown.locator(".comment__author")).to_have_text("newcomer")
    expect(page.locator("#comments-heading")).to_contain_text("3 comments")
    assert errors == []


def test_held_comments_are_not_announced(page, demo_story, settings):
    page.goto(demo_story.get_absolute_url())
    settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS = True

    held = comment_create(article=demo_story, author=UserFactory(), body="Wait for me")

    assert Comment.objects.get(pk=held.pk).status == Comment.Status.PENDING
    page.wait_for_timeout(POLL_SECONDS * 1000 * 8)
    expect(page.locator("[data-live-notice]")).to_be_empty()


def test_a_readers_own_comment_does_not_announce_itself(signed_in, demo_story):
    page = signed_in(UserFactory(username="ada"))
    page.goto(demo_story.get_absolute_url())

    page.get_by_label("Your comment").fill("My own two cents here.")
    page.get_by_role("button", name="Post comment").click()

    mine = Comment.objects.get(author__username="ada")
    expect(page.locator(f"#comment-{mine.pk}")).to_contain_text("My own two cents here.")
    page.wait_for_timeout(POLL_SECONDS * 1000 * 8)
    expect(page.locator("[data-live-notice]")).to_be_empty()


def test_without_javascript_nothing_is_announced(no_js_page, demo_story):
    no_js_page.goto(demo_story.get_absolute_url())

    comment_create(article=demo_story, author=UserFactory(), body="Unseen until reload")
    no_js_page.wait_for_timeout(POLL_SECONDS * 1000 * 6)

    expect(no_js_page.locator("[data-live-notice]")).to_be_empty()
    expect(no_js_page.get_by_text("new comment")).to_have_count(0)
    no_js_page.reload()
    expect(no_js_page.get_by_text("Unseen until reload")).to_be_visible()
