"""Accessibility of the real site in light and dark mode: axe-core finds no serious or critical violation on the
home page, the matrix, a milestone page and a requirement page; every status badge reads at 4.5:1 at least."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import WAIT_MS
from tests.browser.test_readers import REQUIREMENT, REQUIREMENT_PAGE, contrast, open_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

AXE_PAGES = {
    "home": "docs/index",
    "matrix": "docs/traceability/matrix",
    "milestone LDM-503-19a": "docs/traceability/_milestones/LDM-503-19a",
    f"requirement {REQUIREMENT}": REQUIREMENT_PAGE,
}
BLOCKING = ("serious", "critical")
# Every badge: its text colour and its own background (badges are opaque), deduplicated by class and colours.
BADGES_SCRIPT = """() => {
  const seen = {};
  document.querySelectorAll('.trace-badge').forEach(badge => {
    const style = getComputedStyle(badge);
    const key = badge.className + '|' + style.color + '|' + style.backgroundColor;
    if (!(key in seen)) {
      seen[key] = {badge: badge.className, text: badge.textContent, ink: style.color, ground: style.backgroundColor};
    }
  });
  return Object.values(seen);
}"""


@pytest.fixture
def themed_tab(browser: Browser) -> Iterator[Callable[[str], tuple[Page, list[str]]]]:
    """themed_tab(light|dark) -> a 1280x800 page whose system prefers that scheme (no stored choice)."""
    contexts: list[BrowserContext] = []

    def make(scheme: Any) -> tuple[Page, list[str]]:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
        return page, errors

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_finds_no_serious_violation(
    themed_tab: Callable[[str], tuple[Page, list[str]]], real_site: str, theme: str
) -> None:
    page, errors = themed_tab(theme)
    axe = axe_module.Axe()
    found = {}
    for name, docname in AXE_PAGES.items():
        open_page(page, f"{real_site}/{docname}.html")
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        violations = axe.run(page).response["violations"]
        blocking = [
            f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes'][:3]]}"
            for v in violations
            if v["impact"] in BLOCKING
        ]
        if blocking:
            found[name] = blocking
    assert found == {}
    assert errors == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_status_badges_read_in_both_modes(
    themed_tab: Callable[[str], tuple[Page, list[str]]], real_site: str, theme: str
) -> None:
    """The system's preference alone picks the mode; each badge's text against its background is >= 4.5:1."""
    page, errors = themed_tab(theme)
    kinds: set[str] = set()
    for docname in ("docs/traceability/matrix", "docs/traceability/milestones", REQUIREMENT_PAGE):
        open_page(page, f"{real_site}/{docname}.html")
        assert page.evaluate("document.documentElement.dataset.mode") == "auto"
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        badges = page.evaluate(BADGES_SCRIPT)
        for badge in badges:
            assert "rgba" not in badge["ground"] or badge["ground"].endswith(", 1)"), badge
        poor = [(b["badge"], b["text"], round(contrast(b["ink"], b["ground"]), 2)) for b in badges]
        assert [item for item in poor if item[2] < 4.5] == [], f"{theme}: {docname}"
        kinds.update(cls for b in badges for cls in b["badge"].split() if "-" in cls and cls != "trace-badge")
    # Passed, failed, untraced, verified, evidence and sign-off, milestone states: the palette was looked at whole.
    assert {"v-verified", "s-untraced", "m-overdue", "m-completed"} <= kinds, sorted(kinds)
    assert any(k.startswith("e-") for k in kinds) and any(k.startswith("so-") for k in kinds)
    assert errors == []
