"""Replying: in place with JavaScript, on its own page without, and quoting the story."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.helpers import select_text
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def imported_reply(story) -> Comment:
    """The second imported comment (the one about "Aliens"), a reply at level 1."""
    return Comment.objects.get(article=story, level=1)


def test_reply_in_place_moves_the_form_under_the_comment_and_posts_a_nested_reply(
    signed_in, demo_story
):
    reader = UserFactory(username="ada")
    target = imported_reply(demo_story)
    page = signed_in(reader)
    page.goto(demo_story.get_absolute_url())

    page.locator(f"#comment-{target.pk}").get_by_role("link", name="Reply").click()

    # The one comment form now sits right under the comment being answered.
    form = page.locator(f"#comment-{target.pk} + form#comment-form")
    expect(form).to_be_visible()
    expect(form.get_by_label("Your reply to Reader")).to_be_focused()
    expect(page).to_have_url(re.compile(re.escape(demo_story.get_absolute_url()) + "$"))
    form.get_by_label("Your reply to Reader").fill("Aliens would at least bring ketchup.")
    form.get_by_role("button", name="Post comment").click()

    reply = Comment.objects.get(author=reader)
    assert reply.parent_id == target.pk
    assert reply.body == "Aliens would at least bring ketchup."
    shown = page.locator(f"li:has(> #comment-{target.pk}) #comment-{reply.pk}")
    expect(shown).to_contain_text("Aliens would at least bring ketchup.")
    expect(shown.locator(".comment__author")).to_have_text("ada")
    expect(page.locator("#comments-heading")).to_contain_text("3 comments")


def test_cancelling_a_reply_puts_the_form_back_for_a_new_comment(signed_in, demo_story):
    target = imported_reply(demo_story)
    page = signed_in(UserFactory())
    page.goto(demo_story.get_absolute_url())

    page.locator(f"#comment-{target.pk}").get_by_role("link", name="Reply").click()
    page.get_by_role("button", name="Cancel reply").click()

    expect(page.locator(f"#comment-{target.pk} + form#comment-form")).to_have_count(0)
    expect(page.get_by_label("Your comment")).to_be_visible()
    expect(page.locator("#comment-form input[name=parent]")).to_have_value("")


def test_without_javascript_reply_opens_a_reply_page_and_posts_a_nested_reply(
    signed_in, demo_story
):
    reader = UserFactory(username="grace")
    target = imported_reply(demo_story)
    page = signed_in(reader, javascript=False)
    page.goto(demo_story.get_absolute_url())

    page.locator(f"#comment-{target.pk}").get_by_role("link", name="Reply").click()

    expect(page).to_have_url(re.compile(rf"/comments/{target.pk}/reply/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reply to Reader")
    expect(page.locator("main")).to_contain_text("the food is coming from Aliens")
    page.get_by_label("Your reply to Reader").fill("No script needed to answer this.")
    page.get_by_role("button", name="Post reply").click()

    reply = Comment.objects.get(author=reader)
    assert reply.parent_id == target.pk
    expect(page).to_have_url(
        re.compile(rf"{re.escape(demo_story.get_absolute_url())}\?.*#comment-{reply.pk}$")
    )
    shown = page.locator(f"li:has(> #comment-{target.pk}) #comment-{reply.pk}")
    expect(shown).to_contain_text("No script needed to answer this.")


def test_quoting_a_selection_from_the_story_fills_the_comment_box(signed_in, demo_story):
    reader = UserFactory()
    page = signed_in(reader)
    page.goto(demo_story.get_absolute_url())
    quote_button = page.get_by_role("button", name="Quote in a comment")
    expect(quote_button).to_be_hidden()

    sentence = "Mr Kim was speaking at a meeting of senior leaders in Pyongyang."
    select_text(page, ".story__body", sentence)
    quote_button.click()

    box = page.get_by_label("Your comment")
    expect(box).to_have_value(re.compile(rf"^> {re.escape(sentence)}\n"))
    expect(box).to_be_focused()
    box.press("End")
    box.press_sequentially("Where exactly?")
    page.get_by_role("button", name="Post comment").click()

    posted = Comment.objects.get(author=reader)
    assert posted.body.startswith(f"> {sentence}")
    expect(page.locator(f"#comment-{posted.pk} blockquote")).to_have_text(sentence)
    expect(page.locator(f"#comment-{posted.pk} .comment__body")).to_contain_text("Where exactly?")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_reply_deep_in_a_continued_thread_lands_where_it_is_shown(
    signed_in, demo_story, settings, javascript
):
    settings.NEWSROOM_COMMENT_DISPLAY_DEPTH = 6
    from comments.services import comment_create

    parent = imported_reply(demo_story)
    for depth in range(2, 8):  # down to level 7, past what the story page shows
        parent = comment_create(
            article=demo_story, author=UserFactory(), body=f"At level {depth}", parent=parent
        )
    continued = Comment.objects.get(article=demo_story, level=5)
    reader = UserFactory(username="linus")
    page = signed_in(reader, javascript=javascript)
    page.goto(f"/comments/{continued.pk}/")

    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Reply").click()
    page.get_by_label(re.compile("Your reply to")).fill("Down here, and still seen.")
    page.get_by_role("button", name=re.compile("Post")).click()

    reply = Comment.objects.get(author=reader)
    shown = page.locator(f"#comment-{reply.pk}")
    expect(shown).to_contain_text("Down here, and still seen.")
    expect(shown).to_be_in_viewport()
    if not javascript:
        expect(page).to_have_url(re.compile(rf"/comments/{continued.pk}/#comment-{reply.pk}$"))
        expect(page.get_by_role("status")).to_contain_text("Your reply is posted.")
        # The reply is the :target, which the stylesheet highlights.
        assert page.evaluate("document.querySelector(':target').id") == f"comment-{reply.pk}"
