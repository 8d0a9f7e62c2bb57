"""A story's lead image in Chromium: loaded under the CSP, sized before it
arrives, and accessible on the story and on the front page."""

import re

import pytest

from articles.services import article_save
from tests.browser.axe import assert_accessible
from tests.browser.helpers import csp_violations, watch_page
from tests.factories import ArticleFactory
from tests.images import image_upload

pytestmark = pytest.mark.browser


@pytest.fixture
def story(media_root, live_server):
    article = ArticleFactory.build(
        title="Lighthouse keepers return",
        slug="lighthouse-keepers-return",
        lead_image=image_upload("lighthouse.png", size=(1600, 900), color=(30, 90, 160)),
        lead_image_alt="The lighthouse on its rock at dusk",
        lead_image_caption="The light was automated in 1998.",
        lead_image_credit="Harbour Trust",
    )
    return article_save(article=article)


def _loaded_images(page, selector):
    return page.eval_on_selector_all(
        selector, "images => images.map(i => [i.complete, i.naturalWidth, i.currentSrc])"
    )


def test_the_story_shows_its_lead_image_accessibly(page, story):
    watch_page(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(story.get_absolute_url())

    figure = page.locator("figure.story__figure")
    image = figure.get_by_role("img", name="The lighthouse on its rock at dusk")
    image.wait_for()
    page.wait_for_function("document.querySelector('.story__image').complete")
    ((complete, natural_width, current),) = _loaded_images(page, ".story__image")
    # A phone's screen picks a size from srcset, not the largest (the
    # natural width is the chosen file's, scaled to the `sizes` slot).
    assert complete and natural_width > 0
    assert re.search(r"-(480|960)w-[0-9a-f]{10}\.jpg$", current), current
    assert figure.locator("figcaption").inner_text().startswith("The light was automated")
    assert csp_violations(page) == []
    assert_accessible(page)


def test_the_story_keeps_the_images_space_before_it_arrives(page, story):
    # No image ever arrives: what is laid out comes from width and height alone.
    page.route("**/media/**", lambda route: route.abort())
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(story.get_absolute_url())

    box = page.locator(".story__image").bounding_box()
    assert box["width"] > 300
    assert abs(box["width"] / box["height"] - 16 / 9) < 0.02


def test_the_front_page_shows_a_small_image_on_the_card(page, story):
    watch_page(page)
    page.goto("/")

    card_image = page.locator(".story-card__image")
    assert card_image.get_attribute("loading") == "lazy"
    card_image.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('.story-card__image').complete")
    ((complete, natural_width, _),) = _loaded_images(page, ".story-card__image")
    assert complete and natural_width > 0
    # Shown above the headline it follows in the page.
    headline = page.locator(".story-card__headline").bounding_box()
    assert card_image.bounding_box()["y"] < headline["y"]
    assert csp_violations(page) == []
    assert_accessible(page)
