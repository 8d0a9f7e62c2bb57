"""Screenshots of the story page for a design review: desktop and phone, light and dark.

    python -m tests.browser.screenshots                    # own server, test database
    python -m tests.browser.screenshots http://127.0.0.1:8000/
    python -m tests.browser.screenshots http://127.0.0.1:8000/ /2021/06/18/some-story/

With a server URL it photographs that server's first story on the front
page (or the story path given). Without one it creates a throwaway test
database, imports the demo story with a short reply chain, and serves it
itself. Pictures go to test-artifacts/screenshots/: the whole page, and the
comment section alone, per width and colour scheme.
"""

import argparse
import os
import sys
from contextlib import contextmanager
from urllib.parse import urljoin

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.browser.helpers import ARTIFACTS_DIR  # noqa: E402

OUTPUT_DIR = ARTIFACTS_DIR / "screenshots"
DEMO_STORY = "articles/demo/kim-dialogue-and-confrontation.txt"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")


@contextmanager
def own_server():
    """Serve a test database holding the demo story; yields the base URL."""
    import django

    django.setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.db import connection
    from django.test.testcases import LiveServerThread
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    server = None
    try:
        seed_demo_content(call_command)
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        yield f"http://127.0.0.1:{server.port}/"
    finally:
        if server is not None:
            server.terminate()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def seed_demo_content(call_command) -> None:
    """The demo story as `make run` imports it, plus a reply chain and a signed-up reader."""
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from articles.models import Article
    from comments.services import comment_create

    call_command(
        "import_article", DEMO_STORY, "--source", "BBC", "--published", "2021-06-18", verbosity=0
    )
    story = Article.objects.get()
    reader = get_user_model().objects.create_user("ada", "ada@example.com", None)
    parent = story.comments.get(level=1)
    replies = (
        "The field kitchens idea has been tried before, with mixed results.",
        "> tried before\n\nWhere? I would like to read about that.",
        "There is a good piece on it in the archive: https://example.com/archive",
    )
    # Seeding posts faster than a person could; the flood limit is for people.
    with override_settings(NEWSROOM_FLOOD_MIN_SECONDS=0):
        for text in replies:
            parent = comment_create(article=story, author=reader, body=text, parent=parent)


def story_url(page, base_url: str, path: str | None) -> str:
    if path:
        return urljoin(base_url, path)
    page.goto(base_url)
    link = page.locator("main article a[href]").first
    if not link.count():
        sys.exit(f"No story on the front page of {base_url}; give a story path as well.")
    return urljoin(base_url, link.get_attribute("href"))


def take_screenshots(base_url: str, path: str | None = None) -> list:
    from playwright.sync_api import sync_playwright

    from tests.browser.helpers import CHROMIUM_ARGS, chromium_path

    executable = chromium_path()
    if executable is None:
        sys.exit("Chromium is not installed: apt-get install -y chromium")
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            with browser.new_context() as context:
                url = story_url(context.new_page(), base_url, path)
            for device, viewport in VIEWPORTS.items():
                for scheme in SCHEMES:
                    with browser.new_context(
                        viewport=viewport,
                        color_scheme=scheme,
                        is_mobile=device == "phone",
                        device_scale_factor=2 if device == "phone" else 1,
                    ) as context:
                        page = context.new_page()
                        page.goto(url)
                        target = OUTPUT_DIR / f"story-{device}-{scheme}.png"
                        page.screenshot(path=str(target), full_page=True)
                        saved.append(target)
                        # The conversation on its own, legible at review size.
                        target = OUTPUT_DIR / f"comments-{device}-{scheme}.png"
                        page.locator("#comments").screenshot(path=str(target))
                        saved.append(target)
        finally:
            browser.close()
    return saved


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server", nargs="?", help="Base URL of a running site.")
    parser.add_argument("path", nargs="?", help="Story path (default: the newest story).")
    args = parser.parse_args(argv)
    if args.server:
        saved = take_screenshots(args.server, args.path)
    else:
        with own_server() as base_url:
            saved = take_screenshots(base_url, args.path)
    for target in saved:
        print(target.relative_to(ARTIFACTS_DIR.parent))


if __name__ == "__main__":
    main()
