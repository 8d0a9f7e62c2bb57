"""Small helpers shared by the browser scenarios."""

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"

CHROMIUM_CANDIDATES = (Path("/usr/lib/chromium/chromium"), Path("/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Catches what the page itself reports, before any of its own scripts run:
# CSP violations (the event fires for blocked inline script, eval, foreign
# origins) and a flag a successful injection would set.
WATCH_SCRIPT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
  });
});
"""


def chromium_path() -> Path | None:
    """Debian's Chromium (the real binary, not its wrapper script); Playwright's
    own browser downloads are never used."""
    return next((path for path in CHROMIUM_CANDIDATES if path.exists()), None)


def launch_chromium(playwright):
    """Launch the system Chromium, or fail (never skip) saying how to install it."""
    executable = chromium_path()
    if executable is None:
        pytest.fail(
            "Chromium is not installed, so the browser tests cannot run. Install "
            "Debian's package (apt-get install -y chromium); `make test` does this.",
            pytrace=False,
        )
    return playwright.chromium.launch(
        executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
    )


def sign_in(context, user, base_url: str) -> None:
    """Give a browser context a logged-in session for `user` without the log-in form.

    The log-in form has its own scenario; everywhere else this saves a
    page load per test.
    """
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base_url, "httpOnly": True}]
    )


def safe_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:150]


def save_page_artifacts(page, name: str) -> None:
    """Save a full-page screenshot and the page's HTML into test-artifacts/."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS_DIR / safe_filename(name)
    try:
        page.screenshot(path=f"{stem}.png", full_page=True)
        Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # a crashed or closed page must not hide the real failure
        Path(f"{stem}.txt").write_text(f"Could not save the page: {error}\n", encoding="utf-8")


def watch_page(page) -> list:
    """Start recording the page's CSP violations (see `csp_violations`) and its
    console errors and uncaught exceptions; returns the live list of the latter."""
    page.add_init_script(WATCH_SCRIPT)
    errors = []
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def csp_violations(page) -> list:
    return page.evaluate("window.__cspViolations || []")


@contextmanager
def no_navigation(page):
    """Assert the block does not load a new document in `page`.

    A marker set on `window` disappears with the document, so it survives
    exactly when the page was updated in place.
    """
    page.evaluate("window.__sameDocument = true")
    navigations = []

    def listener(frame):
        if frame == page.main_frame:
            navigations.append(frame.url)

    page.on("framenavigated", listener)
    try:
        yield
    finally:
        page.remove_listener("framenavigated", listener)
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert navigations == [], f"the page navigated to {navigations}"


def select_text(page, selector: str, text: str) -> None:
    """Select the first occurrence of `text` inside the element matching `selector`."""
    found = page.evaluate(
        """([selector, text]) => {
          const root = document.querySelector(selector);
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const start = node.data.indexOf(text);
            if (start !== -1) {
              const range = document.createRange();
              range.setStart(node, start);
              range.setEnd(node, start + text.length);
              const selection = window.getSelection();
              selection.removeAllRanges();
              selection.addRange(range);
              return true;
            }
          }
          return false;
        }""",
        [selector, text],
    )
    assert found, f"{text!r} is not in {selector}"
