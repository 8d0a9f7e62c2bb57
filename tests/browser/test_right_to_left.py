"""Hebrew and Arabic are laid out right to left: comment bodies (each paragraph
by its own text), authors' names and the comment box."""

import pytest
from playwright.sync_api import expect

from comments.services import comment_create
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

HEBREW = "שלום לכולם, זו תגובה בעברית עם המספר 42."
ENGLISH = "And a paragraph in English after it."

# Where the paragraph's text sits in its box: "right" when it hugs the right edge.
SIDE = """p => {
  const range = document.createRange();
  range.selectNodeContents(p);
  const text = range.getBoundingClientRect(), box = p.getBoundingClientRect();
  return (box.right - text.right) < (text.left - box.left) ? "right" : "left";
}"""


def test_each_paragraph_and_name_takes_the_direction_of_its_text(signed_in, demo_story):
    author = UserFactory(username="דוד")
    comment = comment_create(
        article=demo_story, author=author, body=f"{HEBREW}\n\n{ENGLISH}"
    )
    page = signed_in(UserFactory())
    page.goto(demo_story.get_absolute_url())

    card = page.locator(f"#comment-{comment.pk}")
    hebrew, english = card.locator(".comment__body p").all()
    expect(hebrew).to_have_text(HEBREW)
    assert hebrew.evaluate(SIDE) == "right"
    assert english.evaluate(SIDE) == "left"
    assert card.locator(".comment__body").evaluate("el => el.matches(':dir(rtl)')")
    assert card.locator(".comment__author").evaluate("el => el.matches(':dir(rtl)')")

    box = page.get_by_label("Your comment")
    box.fill("مرحبا بالجميع")
    assert box.evaluate("el => el.matches(':dir(rtl)')")
    box.fill("Hello everyone")
    assert box.evaluate("el => el.matches(':dir(ltr)')")
