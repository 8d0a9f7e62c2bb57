"""Finding one's way around a long conversation: collapse, deep threads, later pages."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from comments.services import comment_create
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.browser


def reply_chain(article, length: int) -> list[Comment]:
    """A single thread nested `length` deep: each comment answers the one before."""
    author = UserFactory()
    chain, parent = [], None
    for depth in range(length):
        parent = comment_create(
            article=article, author=author, body=f"Reply at depth {depth}.", parent=parent
        )
        chain.append(parent)
    return chain


def test_a_reader_collapses_and_expands_a_thread(page, demo_story):
    root = Comment.objects.get(article=demo_story, level=0)
    reply = Comment.objects.get(article=demo_story, level=1)
    page.goto(demo_story.get_absolute_url())
    replies = page.locator(f"details[data-thread='{root.pk}']")
    summary = replies.locator("summary")
    expect(summary).to_have_text("1 reply")
    expect(page.locator(f"#comment-{reply.pk}")).to_be_visible()

    summary.click()
    expect(replies).not_to_have_attribute("open", "")
    expect(page.locator(f"#comment-{reply.pk}")).to_be_hidden()
    expect(page.locator(f"#comment-{root.pk}")).to_be_visible()

    # The script remembers the folded thread on this story for the next visit
    # (it stores it when the browser reports the toggle, a moment after the click).
    _wait_until_stored(page, root.pk, folded=True)
    page.reload()
    expect(page.locator(f"#comment-{reply.pk}")).to_be_hidden()

    summary.click()
    expect(page.locator(f"#comment-{reply.pk}")).to_be_visible()
    _wait_until_stored(page, root.pk, folded=False)
    page.reload()
    expect(page.locator(f"#comment-{reply.pk}")).to_be_visible()


def _wait_until_stored(page, thread_id: int, *, folded: bool) -> None:
    """Until the script's record of folded threads on this story says `folded` for the thread."""
    page.wait_for_function(
        """([id, folded]) => Object.keys(localStorage)
            .filter((key) => key.startsWith("newsroom:collapsed:"))
            .some((key) => JSON.parse(localStorage.getItem(key)).includes(id)) === folded""",
        arg=[str(thread_id), folded],
    )


def test_collapse_works_without_javascript(no_js_page, demo_story):
    reply = Comment.objects.get(article=demo_story, level=1)
    no_js_page.goto(demo_story.get_absolute_url())

    no_js_page.locator("details.comment-replies > summary").click()
    expect(no_js_page.locator(f"#comment-{reply.pk}")).to_be_hidden()
    no_js_page.locator("details.comment-replies > summary").click()
    expect(no_js_page.locator(f"#comment-{reply.pk}")).to_be_visible()


def test_continue_this_thread_opens_the_deeper_replies_with_their_context(page, settings):
    settings.NEWSROOM_COMMENT_DISPLAY_DEPTH = 3
    article = ArticleFactory()
    chain = reply_chain(article, 5)
    page.goto(article.get_absolute_url())

    for shown in chain[:3]:
        expect(page.locator(f"#comment-{shown.pk}")).to_contain_text(shown.body)
    for hidden in chain[3:]:
        expect(page.locator(f"#comment-{hidden.pk}")).to_have_count(0)

    page.get_by_role("link", name="Continue this thread").click()

    expect(page).to_have_url(re.compile(rf"/comments/{chain[2].pk}/$"))
    context = page.get_by_role("navigation", name="Earlier in this thread")
    expect(context).to_contain_text("Reply at depth 0.")
    expect(context).to_contain_text("Reply at depth 1.")
    for deeper in chain[2:]:
        expect(page.locator(f".comment-thread #comment-{deeper.pk}")).to_contain_text(deeper.body)
    nested = page.locator(f"li:has(> #comment-{chain[3].pk}) #comment-{chain[4].pk}")
    expect(nested).to_be_visible()

    page.get_by_role("link", name="See this comment in the full conversation").click()
    expect(page).to_have_url(
        re.compile(rf"{re.escape(article.get_absolute_url())}\?.*#comment-{chain[2].pk}$")
    )
    expect(page.locator(f"#comment-{chain[2].pk}")).to_be_in_viewport()


def test_a_permalink_opens_the_later_page_that_holds_the_comment(page, settings):
    settings.NEWSROOM_COMMENT_THREADS_PER_PAGE = 2
    article = ArticleFactory()
    author = UserFactory()
    threads = [
        comment_create(article=article, author=author, body=f"Thread number {n}.") for n in range(5)
    ]
    last = threads[-1]
    page.goto(article.get_absolute_url())
    expect(page.get_by_role("navigation", name="Comment pages")).to_contain_text("Page 1 of 3")
    expect(page.locator(f"#comment-{last.pk}")).to_have_count(0)

    page.goto(f"/comments/{last.pk}/go/")

    expect(page).to_have_url(re.compile(rf"cpage=3.*#comment-{last.pk}$"))
    expect(page.get_by_role("navigation", name="Comment pages")).to_contain_text("Page 3 of 3")
    expect(page.locator(f"#comment-{last.pk}")).to_contain_text("Thread number 4.")
    expect(page.locator(f"#comment-{last.pk}")).to_be_in_viewport()
    expect(page.locator(f"#comment-{threads[0].pk}")).to_have_count(0)

    page.get_by_role("link", name="← Earlier threads").click()
    expect(page.get_by_role("navigation", name="Comment pages")).to_contain_text("Page 2 of 3")
    expect(page.locator(f"#comment-{threads[2].pk}")).to_contain_text("Thread number 2.")

    # Pages by number, the last one named as such.
    pages = page.get_by_role("navigation", name="Comment pages")
    pages.get_by_role("link", name="Last page, 3").click()
    expect(page).to_have_url(re.compile(r"cpage=3"))
    from tests.browser.axe import assert_accessible

    assert_accessible(page)


def test_a_link_copied_from_a_comments_time_opens_its_page_from_anywhere(
    page, demo_story, settings
):
    settings.NEWSROOM_COMMENT_THREADS_PER_PAGE = 1
    second = Comment.objects.filter(article=demo_story, level=0).order_by("created_at").first()
    later = comment_create(article=demo_story, author=UserFactory(), body="A later thread")
    page.goto(demo_story.get_absolute_url() + "?cpage=2")
    copied = page.locator(f"#comment-{later.pk} .comment__permalink").get_attribute("href")
    assert copied == f"/comments/{later.pk}/go/"

    page.goto("/")  # somewhere else entirely, as a reader pasting the link would be
    page.goto(copied)

    shown = page.locator(f"#comment-{later.pk}")
    expect(shown).to_be_in_viewport()
    expect(shown).to_contain_text("A later thread")
    assert "cpage=2" in page.url
    expect(page.locator(f"#comment-{second.pk}")).to_have_count(0)
