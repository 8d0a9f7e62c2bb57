"""A guest reading the sample story finds, under "Leave a reply", the ways to sign
in and how their comment data is processed, as on the page we archive; the log-in
link brings them back to the comment form."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_a_guest_finds_how_to_sign_in_and_how_their_data_is_processed(
    new_context, demo_story, javascript
):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(demo_story.get_absolute_url())

    respond = page.locator("#comments .comments__respond")
    expect(respond.get_by_role("heading", name="Leave a reply", level=3)).to_be_visible()
    expect(respond.get_by_role("link", name="create an account")).to_be_visible()
    expect(respond.locator(".comments__spam-note")).to_have_text(
        "Comments are checked for spam on this site’s own servers. "
        "Learn how your comment data is processed."
    )
    if javascript:
        assert_accessible(page)

    respond.get_by_role("link", name="Learn how your comment data is processed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How your comment data is processed"
    )

    page.go_back()
    respond.get_by_role("link", name="Log in to reply").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    assert "%23comment-form" in page.url


def test_the_comment_box_counts_down_and_the_guidelines_are_a_click_away(signed_in, demo_story):
    from tests.factories import UserFactory

    page = signed_in(UserFactory())
    page.goto(demo_story.get_absolute_url())
    box = page.get_by_label("Your comment")
    counter = page.locator("#comment-form-count")
    expect(counter).to_have_text("5,000 characters left")

    box.fill("Ten chars!")

    expect(counter).to_have_text("4,990 characters left")
    page.get_by_role("link", name="comment guidelines").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment guidelines")
    assert_accessible(page)
