"""Run axe-core (the npm package pinned in package.json) on a Playwright page.

axe's source is evaluated through the DevTools protocol (`page.evaluate`),
which the page's CSP does not govern, so the site keeps its strict policy
(an injected inline <script> tag would be blocked) and needs no change.
"""

from functools import cache

from tests.browser.helpers import REPO_ROOT

AXE_SOURCE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        raise RuntimeError(
            "axe-core is not installed: run `npm ci` in the repository root "
            "(package.json pins the version)."
        )
    return AXE_SOURCE.read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    """All violations axe finds on the page as it is now (WCAG 2.x A and AA rules)."""
    if not getattr(page.context, "javascript_enabled", True):
        # axe.run waits on timers, which never fire in a page whose scripts
        # are off: the call would hang instead of failing.
        raise RuntimeError(
            "axe-core needs JavaScript: check this page in a context with JavaScript on"
        )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    results = page.evaluate(
        """(tags) => axe.run(document, {
             runOnly: {type: "tag", values: tags},
             resultTypes: ["violations"],
           })""",
        RULE_TAGS,
    )
    return results["violations"]


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    """One line per affected element: impact, rule id, selector, and what is wrong."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(
                f"[{violation['impact']}] {violation['id']}: {target} — {violation['help']}"
            )
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fail listing every serious or critical violation on the page."""
    found = blocking(run_axe(page))
    assert not found, f"axe found serious or critical problems on {page.url}:\n{describe(found)}"
