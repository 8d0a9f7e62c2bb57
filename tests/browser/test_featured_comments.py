"""Editors' picks in the browser: a moderator features a comment from the story."""

import pytest
from playwright.sync_api import expect

from articles.management.commands.ensure_editor import editors_group
from comments.models import Comment
from tests.browser.axe import assert_accessible
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_a_moderator_features_a_comment_and_readers_find_it_among_the_picks(
    signed_in, page, demo_story, javascript
):
    moderator = UserFactory(username="desk", is_staff=True)
    moderator.groups.add(editors_group())
    comment = Comment.objects.get(article=demo_story, level=0)
    desk = signed_in(moderator, javascript=javascript)
    desk.goto(demo_story.get_absolute_url())
    card = desk.locator(f"#comment-{comment.pk}")

    card.get_by_role("button", name="Feature").click()

    expect(card.locator(".comment__badge")).to_have_text("Featured")
    expect(card.get_by_role("button", name="Unfeature")).to_be_visible()
    if javascript:  # axe runs in the page
        assert_accessible(desk)
    assert Comment.objects.get(pk=comment.pk).featured_at is not None

    # A guest sees the badge and the count, and the picks page lists it.
    page.goto(demo_story.get_absolute_url())
    expect(page.locator(f"#comment-{comment.pk} .comment__badge")).to_have_text("Featured")
    expect(page.get_by_role("button", name="Feature")).to_have_count(0)
    page.get_by_role("link", name="1 featured comment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Featured comments on")
    expect(page.locator(".featured-comments__list > li")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name="See it in the conversation").click()
    expect(page.locator(f"#comment-{comment.pk}")).to_be_visible()
