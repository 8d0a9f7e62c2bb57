"""The read side: what a page of a thread contains, in what order and shape."""

import pytest

from comments.models import Comment
from comments.selectors import (
    comment_page_number,
    comment_subtree,
)
from storypage.section import reader_state
from tests.comments.threads import C, build, page_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def shape(page) -> str:
    """Nodes as compact text: "key level" per node, with placeholders in brackets."""
    lines = []
    for node in page.nodes:
        label = node.placeholder or node.body_html.removeprefix("<p>").removesuffix("</p>")
        lines.append(f"{label} {node.level}")
    return "\n".join(lines)


def test_thread_is_flat_in_tree_order_with_nesting_markers(article):
    # a
    # ├── a1
    # │   └── a1x
    # └── a2
    # b
    build(article, [C("a", [C("a1", [C("a1x")]), C("a2")]), C("b")])

    page = page_of(article=article, user=None)

    assert shape(page) == "a 0\na1 1\na1x 2\na2 1\nb 0"
    # Each node knows the level printed after it: a list opens where it rises
    # and closes where it falls.
    assert [(n.level, n.next_level) for n in page.nodes] == [(0, 1), (1, 2), (2, 1), (1, 0), (0, 0)]
    assert page.nodes[0].reply_count == 3
    assert page.nodes[0].anchor == f"comment-{page.nodes[0].id}"


def test_sorts_order_top_level_threads(article):
    rows = build(article, [C("old", likes=1), C("middle", likes=5), C("new", likes=2)])
    assert rows["old"].created_at < rows["new"].created_at

    def roots(sort):
        return [n.body_html for n in page_of(article=article, user=None, sort=sort).nodes]

    assert roots("oldest") == ["<p>old</p>", "<p>middle</p>", "<p>new</p>"]
    assert roots("newest") == ["<p>new</p>", "<p>middle</p>", "<p>old</p>"]
    assert roots("liked") == ["<p>middle</p>", "<p>new</p>", "<p>old</p>"]
    assert roots("nonsense") == roots("oldest")


def test_pages_by_top_level_thread_keeping_replies_together(article, settings):
    settings.NEWSROOM_COMMENT_THREADS_PER_PAGE = 2
    build(article, [C("a", [C("a1"), C("a2")]), C("b", [C("b1")]), C("c", [C("c1")])])

    first = page_of(article=article, user=None, page=1)
    second = page_of(article=article, user=None, page=2)
    past_end = page_of(article=article, user=None, page=9)

    assert shape(first) == "a 0\na1 1\na2 1\nb 0\nb1 1"
    assert shape(second) == "c 0\nc1 1"
    assert (first.num_pages, first.thread_count, first.comment_count) == (2, 3, 7)
    assert past_end.number == 2 and shape(past_end) == shape(second)


def test_deleted_and_removed_stay_in_place_when_they_have_replies(article):
    build(
        article,
        [
            C("gone", [C("kept reply")], deleted=True),
            C("bad", [C("reply to bad")], status=Comment.Status.REMOVED),
            C("lonely deleted", deleted=True),
            C("spam leaf", status=Comment.Status.SPAM),
        ],
    )

    page = page_of(article=article, user=None)

    assert shape(page) == (
        "[deleted] 0\nkept reply 1\nThis comment was removed. 0\nreply to bad 1"
    )
    assert page.comment_count == 2


def test_pending_comment_is_visible_to_its_author_and_staff_only(article, staff):
    author = UserFactory()
    build(article, [C("visible"), C("held", author=author, status=Comment.Status.PENDING)])

    assert shape(page_of(article=article, user=None)) == "visible 0"
    assert shape(page_of(article=article, user=UserFactory())) == "visible 0"
    mine = page_of(article=article, user=author)
    assert shape(mine) == "visible 0\nheld 0"
    assert reader_state(article_id=article.pk, user=author).has_pending
    assert not reader_state(article_id=article.pk, user=UserFactory()).has_pending
    assert "Awaiting moderation" in mine.nodes[1].notice
    assert shape(page_of(article=article, user=staff)) == "visible 0\nheld 0"


def test_hidden_subtree_is_dropped_whole(article):
    # Removed comment whose only reply is also removed: nothing readable below.
    build(
        article,
        [C("x", [C("y", [C("z", status=Comment.Status.REMOVED)], status=Comment.Status.REMOVED)])],
    )

    assert shape(page_of(article=article, user=None)) == "x 0"


def test_replies_beyond_display_depth_become_continue_link(article, settings):
    settings.NEWSROOM_COMMENT_DISPLAY_DEPTH = 3
    rows = build(article, [C("l0", [C("l1", [C("l2", [C("l3", [C("l4")])])])])])

    page = page_of(article=article, user=None)

    assert shape(page) == "l0 0\nl1 1\nl2 2"
    assert page.nodes[-1].has_more and page.nodes[-1].id == rows["l2"].pk

    subtree = comment_subtree(comment=rows["l2"], user=None)
    assert [n.body_html for n in subtree.ancestors] == ["<p>l0</p>", "<p>l1</p>"]
    assert [(n.body_html, n.level) for n in subtree.nodes] == [
        ("<p>l2</p>", 0),
        ("<p>l3</p>", 1),
        ("<p>l4</p>", 2),
    ]


def test_comment_page_number_finds_the_page_of(article, settings):
    settings.NEWSROOM_COMMENT_THREADS_PER_PAGE = 2
    rows = build(article, [C("a"), C("b"), C("c", [C("c-reply")])])

    assert comment_page_number(comment=rows["c-reply"], sort="oldest") == 2
    assert comment_page_number(comment=rows["c-reply"], sort="newest") == 1
    assert comment_page_number(comment=rows["a"], sort="newest") == 2


