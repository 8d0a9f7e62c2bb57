"""A reader opens the sample story and its imported conversation."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = pytest.mark.browser


def test_reader_sees_the_story_its_attribution_and_the_imported_thread(page, demo_story):
    page.goto("/")
    page.get_by_role("link", name=demo_story.title).first.click()

    expect(page).to_have_url(re.compile(re.escape(demo_story.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kim Jong-un prepares for ‘dialogue and confrontation’ with the US"
    )
    expect(page.locator(".story__body")).to_contain_text(
        "Mr Kim was speaking at a meeting of senior leaders in Pyongyang."
    )
    expect(page.locator(".story__body h2")).to_have_text("A fraught relationship")
    expect(page.locator("time.story__date")).to_have_text("18 June 2021")

    attribution = page.get_by_role("complementary", name="Attribution")
    expect(attribution).to_contain_text("© BBC")
    source_link = attribution.get_by_role("link", name="BBC")
    expect(source_link).to_have_attribute("href", demo_story.source.homepage_url)
    assert demo_story.source.homepage_url.startswith("https://")

    # The reply sits inside its parent's list item, under the parent's likes.
    first = page.locator("#comments .comment-thread > li").first
    expect(first.locator("> article .comment__likes")).to_have_text("Liked by 4 people")
    expect(first.locator("> article .comment__body")).to_contain_text(
        "an army marches on it stomach"
    )
    reply = first.locator("details .comment-list > li > article")
    expect(reply).to_have_count(1)
    expect(reply.locator(".comment__body")).to_contain_text("the food is coming from Aliens")
    expect(reply.locator(".comment__likes")).to_have_text("Liked by 3 people")
    expect(page.locator("#comments-heading")).to_contain_text("2 comments")

    stored = list(Comment.objects.order_by("tree_id", "lft"))
    assert [(c.level, c.like_count, c.parent_id) for c in stored] == [
        (0, 4, None),
        (1, 3, stored[0].pk),
    ]
    assert page.locator(f"#comment-{stored[1].pk}").is_visible()
