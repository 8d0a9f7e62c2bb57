"""A story whose comments are closed offers no Reply anywhere, with or
without JavaScript, and its reply page says why instead of opening a form."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_a_closed_story_offers_no_reply_and_its_reply_page_says_why(
    signed_in, demo_story, javascript
):
    comment = Comment.objects.filter(article=demo_story, level=0).first()
    page = signed_in(UserFactory(), javascript=javascript)
    page.goto(demo_story.get_absolute_url())
    expect(page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Reply")).to_be_visible()

    demo_story.comments_open = False
    demo_story.save()  # as an editor closing comments in the admin
    page.reload()

    expect(page.locator("#comments")).to_contain_text("Comments are closed.")
    expect(page.locator(f"#comment-{comment.pk}")).to_be_visible()
    expect(page.locator("#comments").get_by_role("link", name="Reply")).to_have_count(0)
    expect(page.locator("#comments textarea")).to_have_count(0)

    page.goto(f"/comments/{comment.pk}/reply/")
    expect(page.get_by_role("heading", name="Replies are closed")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Comments are closed.")
    expect(page.locator("main textarea")).to_have_count(0)
