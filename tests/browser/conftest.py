"""Playwright + Chromium fixtures for the end-to-end browser suite.

One Playwright driver and one Chromium per test process, a fresh browser
context (cookies, storage, JavaScript on or off) per test, against
pytest-django's `live_server` on the test database.
"""

import os

# Playwright's sync API keeps an asyncio loop running on the main thread, so
# Django would refuse ORM calls made by the tests themselves. Set before any
# test runs (conftest modules are imported during collection); Django reads
# it on every guarded call.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.core.management import call_command  # noqa: E402

from articles.models import Article  # noqa: E402
from tests.browser.helpers import launch_chromium, save_page_artifacts, sign_in  # noqa: E402

DEMO_STORY = "articles/demo/kim-dialogue-and-confrontation.txt"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so fixtures can see a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver):
    chromium = launch_chromium(playwright_driver)
    yield chromium
    chromium.close()


@pytest.fixture
def new_context(browser, live_server, request):
    """Factory for browser contexts; every page they open is saved if the test fails."""
    contexts = []

    def make(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        # Remembered for tests/browser/axe.py: axe cannot run with scripts off.
        context.javascript_enabled = options.get("java_script_enabled", True)
        contexts.append(context)
        return context

    yield make

    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    for number, context in enumerate(contexts):
        if failed:
            for page_number, page in enumerate(context.pages):
                save_page_artifacts(page, f"{request.node.nodeid}-{number}-{page_number}")
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def no_js_page(new_context):
    """A page in a context with JavaScript disabled: the plain-HTML fallbacks."""
    return new_context(java_script_enabled=False).new_page()


@pytest.fixture
def signed_in(new_context, live_server):
    """Factory: a page already signed in as `user` (with or without JavaScript)."""

    def make(user, *, javascript=True):
        context = new_context(java_script_enabled=javascript)
        sign_in(context, user, live_server.url)
        return context.new_page()

    return make


@pytest.fixture(autouse=True)
def _calm_comment_limits(settings):
    """Browser scenarios post several comments in seconds; lift the flood limits."""
    settings.NEWSROOM_FLOOD_MIN_SECONDS = 0
    settings.NEWSROOM_FLOOD_PER_HOUR = 1000
    settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS = False


@pytest.fixture
def demo_story(live_server) -> Article:
    """The sample BBC story with its two imported comments, as `make run` imports it."""
    call_command(
        "import_article", DEMO_STORY, "--source", "BBC", "--published", "2021-06-18", verbosity=0
    )
    return Article.objects.get()
