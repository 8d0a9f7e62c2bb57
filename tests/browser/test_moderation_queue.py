"""A moderator working through the queue in the admin: layout, keyboard, no-JS."""

import pytest
from playwright.sync_api import expect

from articles.management.commands.ensure_editor import editors_group
from comments.models import Comment
from tests.browser.axe import assert_accessible
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


def test_a_moderator_works_through_the_queue_with_the_keyboard(signed_in):
    story = ArticleFactory()
    # Newest first in the queue: third, second, first.
    rows = build(
        story,
        [
            C("the first held comment", status=Status.PENDING),
            C("the second held comment", status=Status.PENDING),
            C("the third held comment", status=Status.PENDING),
        ],
    )
    queue = signed_in(StaffFactory())
    queue.goto(QUEUE)
    current = queue.locator("#result_list tbody tr.queue-current")

    help_list = queue.locator("#queue-shortcuts")
    expect(help_list.get_by_text("Keyboard shortcuts")).to_be_visible()
    queue.keyboard.press("?")
    expect(help_list.get_by_text("Approve the current comment")).to_be_visible()
    assert_accessible(queue)

    expect(current).to_contain_text("the third held comment")
    queue.keyboard.press("j")
    expect(current).to_contain_text("the second held comment")
    queue.keyboard.press("a")

    expect(queue.locator(".messagelist")).to_contain_text("Approve: 1 comment changed.")
    # The approved comment left the queue; the one after it is current.
    expect(current).to_contain_text("the first held comment")
    queue.keyboard.press("s")

    expect(queue.locator(".messagelist")).to_contain_text("Mark as spam: 1 comment changed.")
    expect(current).to_contain_text("the third held comment")
    queue.keyboard.press("r")

    expect(queue.locator(".messagelist")).to_contain_text("Remove: 1 comment changed.")
    expect(queue.locator("#result_list")).to_have_count(0)
    statuses = {key: Comment.objects.get(pk=row.pk).status for key, row in rows.items()}
    assert statuses == {
        "the first held comment": Status.SPAM,
        "the second held comment": Status.PUBLISHED,
        "the third held comment": Status.REMOVED,
    }


def test_in_the_whole_list_a_decision_moves_on_to_the_next_comment(signed_in):
    rows = build(ArticleFactory(), [C("older", status=Status.PENDING), C("newer")])
    queue = signed_in(StaffFactory())
    queue.goto(f"{QUEUE}?status=all")
    current = queue.locator("#result_list tbody tr.queue-current")

    expect(current).to_contain_text("newer")
    queue.keyboard.press("r")

    expect(queue.locator(".messagelist")).to_contain_text("Remove: 1 comment changed.")
    expect(current).to_contain_text("older")
    assert Comment.objects.get(pk=rows["newer"].pk).status == Status.REMOVED


def test_without_javascript_the_queue_decides_through_its_forms(signed_in):
    rows = build(ArticleFactory(), [C("held for a look", status=Status.PENDING)])
    queue = signed_in(StaffFactory(), javascript=False)
    queue.goto(QUEUE)

    expect(queue.get_by_text("Keyboard shortcuts")).to_be_hidden()
    row = queue.locator("#result_list tbody tr", has_text="held for a look")
    row.locator("input[name=_selected_action]").check()
    queue.locator("select[name=action]").select_option(label="Mark selected comments as spam")
    queue.get_by_role("button", name="Run").click()

    expect(queue.locator(".messagelist")).to_contain_text("Mark as spam: 1 comment changed.")
    assert Comment.objects.get(pk=rows["held for a look"].pk).status == Status.SPAM


def test_a_moderator_reads_the_conversation_leaves_a_note_and_opens_the_authors_history(
    signed_in,
):
    story = ArticleFactory(title="Harbour lighthouse to stay lit")
    troll = UserFactory(username="harbour_troll")
    rows = build(
        story,
        [
            C(
                "The council made the right call.",
                [
                    C("Rubbish, they wasted our money.", author=troll, status=Status.PENDING),
                    C("Agreed, it is a landmark."),
                ],
            )
        ],
    )
    held = rows["Rubbish, they wasted our money."]
    moderator = UserFactory(username="night_desk", is_staff=True)
    moderator.groups.add(editors_group())  # a moderator as the Editors group makes them
    page = signed_in(moderator)

    page.goto(f"{QUEUE}{held.pk}/change/")
    conversation = page.locator(".conversation")
    expect(conversation).to_contain_text("The council made the right call.")
    assert_accessible(page)
    page.get_by_label("Note for moderators").fill("Second warning this week.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Note added for the other moderators.")

    page.goto(f"{QUEUE}author/{troll.pk}/")
    main = page.locator("#content")
    expect(main).to_contain_text("Rubbish, they wasted our money.")
    expect(main).to_contain_text("Second warning this week.")
    assert_accessible(page)
