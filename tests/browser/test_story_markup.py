"""Tables and footnotes in a story on a phone: the table scrolls inside its
own region (by keyboard too), never the page, and the page stays accessible."""

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.factories import ArticleFactory

pytestmark = pytest.mark.browser

WIDE_TABLE = (
    "| Constituency | Candidate | Party | Votes 2019 | Votes 2024 | Change | Turnout |\n"
    "|---|---|---|--:|--:|--:|--:|\n"
    + "".join(
        f"| Northern Highlands {n} | Alexandra Montgomery-Smythe | Independent Alliance "
        f"| 12,345 | 23,456 | +11,111 | 67.8% |\n"
        for n in range(3)
    )
)


@pytest.fixture
def table_story(db):
    return ArticleFactory(
        title="Results by constituency",
        body=f"# The count\n\nThe results came in overnight[^1].\n\n{WIDE_TABLE}\n"
        "[^1]: Figures from the returning officers.",
    )


def test_a_wide_table_scrolls_in_its_region_on_a_phone(new_context, table_story):
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto(table_story.get_absolute_url())

    region = page.get_by_role("region", name="Table 1")
    expect(region.get_by_role("columnheader", name="Turnout")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")

    region.focus()
    page.keyboard.press("ArrowRight")
    for _ in range(50):  # the scroll may be smooth; wait for it to move at all
        if region.evaluate("el => el.scrollLeft") > 0:
            break
        page.wait_for_timeout(100)
    assert region.evaluate("el => el.scrollLeft") > 0

    page.get_by_role("link", name="1", exact=True).click()
    expect(page.locator("#fn\\:1")).to_contain_text("Figures from the returning officers.")
    assert_accessible(page)


def test_the_table_and_notes_read_without_javascript(no_js_page, table_story):
    no_js_page.goto(table_story.get_absolute_url())
    expect(no_js_page.get_by_role("heading", level=2, name="The count")).to_be_visible()
    expect(no_js_page.get_by_role("cell", name="Northern Highlands 2")).to_be_visible()
    expect(no_js_page.locator(".footnote")).to_contain_text("returning officers")
