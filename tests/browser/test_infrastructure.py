"""The suite's own plumbing: a missing browser is a failure that says what to do."""

from pathlib import Path

import pytest

from tests.browser import helpers

pytestmark = pytest.mark.browser


def test_a_missing_chromium_fails_the_run_with_install_instructions(monkeypatch):
    monkeypatch.setattr(helpers, "CHROMIUM_CANDIDATES", (Path("/nonexistent/chromium"),))

    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        helpers.launch_chromium(playwright=None)


def test_a_failing_test_leaves_a_screenshot_and_the_html(page, tmp_path, monkeypatch):
    monkeypatch.setattr(helpers, "ARTIFACTS_DIR", tmp_path)
    page.goto("/")

    helpers.save_page_artifacts(page, "tests/browser/test_x.py::test_y")

    saved = sorted(path.name for path in tmp_path.iterdir())
    assert saved == ["tests_browser_test_x.py_test_y.html", "tests_browser_test_x.py_test_y.png"]
    assert "Latest stories" in (tmp_path / saved[0]).read_text()
