"""A moderator working through the queue in the admin: layout, keyboard, no-JS."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.comments.threads import C, build
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.browser

Status = Comment.Status
QUEUE = "/admin/comments/comment/"
LONG = (
    "This is a long comment that goes on and on about the council's decision, the "
    "harbour, the lighthouse keeper's pension, the price of diesel and the weather "
    "of the last three winters, with a few words more than anyone needed to read."
)


def held_comments(count: int) -> dict[str, Comment]:
    story = ArticleFactory(
        title="Councillors vote to keep the harbour lighthouse lit after a long winter campaign"
    )
    return build(
        story,
        [
            C(
                f"{n}. {LONG}",
                author=UserFactory(username=f"commenter_number_{n}"),
                status=Status.PENDING,
            )
            for n in range(3)
        ],
    )


def test_every_queue_column_fits_a_1400_pixel_screen(signed_in):
    held_comments(3)
    queue = signed_in(StaffFactory())
    queue.set_viewport_size({"width": 1400, "height": 900})

    queue.goto(QUEUE)

    # The table scrolls inside its box when too wide: what sticks out is hidden.
    results = queue.locator("#changelist .results")
    shown = results.bounding_box()
    for column in ("status", "created"):
        header = queue.locator(f"#result_list th.column-{column}")
        expect(header).to_be_visible()
        box = header.bounding_box()
        assert box["x"] + box["width"] <= shown["x"] + shown["width"], f"{column} is cut off"
    assert results.evaluate("box => box.scrollWidth <= box.clientWidth")
