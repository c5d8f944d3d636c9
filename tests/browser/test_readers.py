"""Readers find answers fast: dark mode, anchors below the header, a one-row header, phones, screenshots."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal

import pytest

from dmtrace.views import charts
from tests.browser.conftest import WAIT_MS
from tests.publish_site import SCREENSHOTS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, FloatRect, Locator, Page

REQUIREMENT_PAGE = "needs/requirements/section-2-1"
REQUIREMENT = "DMS-REQ-0293"
PHONE = {"width": 390, "height": 844}

# Every SVG text with its ink and what it is drawn on: the segment it sits in (counts inside bars, which carry a
# literal fill and no class) or the first opaque background among its ancestors (the page).
CHART_TEXT_SCRIPT = """() => {
  const opaque = (colour) => colour && colour !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(colour);
  const backdrop = (text) => {
    const before = text.previousElementSibling;
    if (!text.getAttribute('class') && before && before.tagName.toLowerCase() === 'rect') {
      return getComputedStyle(before).fill;
    }
    for (let node = text.parentElement; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (opaque(colour)) { return colour; }
    }
    return 'rgb(255, 255, 255)';
  };
  return Array.from(document.querySelectorAll('svg.trace-chart text')).map(text => ({
    text: text.textContent, ink: getComputedStyle(text).fill, backdrop: backdrop(text),
  }));
}"""


def rgb(colour: str) -> tuple[float, float, float]:
    """The red, green and blue of a computed colour (`rgb(…)` or `rgba(…)`, as Chromium reports it)."""
    numbers = re.findall(r"[\d.]+", colour)
    assert colour.startswith("rgb") and len(numbers) >= 3, colour
    return float(numbers[0]), float(numbers[1]), float(numbers[2])


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance."""
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_wcag() -> None:
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    assert contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") == pytest.approx(4.54, abs=0.01)


Tab = tuple["Page", list[str]]


@pytest.fixture
def open_tab(browser: Browser) -> Iterator[Callable[..., Tab]]:
    """open_tab(**context options) -> (page, the script errors it records); its context is closed afterwards."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> Tab:
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **options})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        return page, errors

    yield make
    for context in contexts:
        context.close()


def rect(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not displayed"
    return box


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    # pydata sets data-theme from the stored or system mode once its script has run.
    page.wait_for_function("['light', 'dark'].includes(document.documentElement.dataset.theme)")


def switch_theme(page: Page, mode: str) -> None:
    """Pick a mode in the header's colour-mode menu, as a reader does."""
    page.locator(".bd-header .theme-switch-button").click()
    page.locator(f".bd-header .theme-change-button[data-mode='{mode}']").click()
    page.wait_for_function(f"document.documentElement.dataset.mode === '{mode}'")


def assert_chart_text_contrast(page: Page, errors: list[str], theme: str) -> None:
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    texts = page.evaluate(CHART_TEXT_SCRIPT)
    assert len(texts) > 20, "the coverage page should draw charts"
    poor = [(t["text"], t["ink"], t["backdrop"], round(contrast(t["ink"], t["backdrop"]), 2)) for t in texts]
    poor = [item for item in poor if item[3] < 4.5]
    assert poor == [], f"{theme}: chart text below 4.5:1"
    assert errors == []


def test_theme_follows_a_dark_system_and_chart_text_contrasts(open_tab: Callable[..., Tab], real_site: str) -> None:
    tab, errors = open_tab(color_scheme="dark")
    open_page(tab, f"{real_site}/docs/traceability/coverage.html")
    assert tab.evaluate("document.documentElement.dataset.mode") == "auto"
    assert_chart_text_contrast(tab, errors, "dark")


def test_theme_follows_a_light_system_and_the_reader_can_switch_to_dark(
    open_tab: Callable[..., Tab], real_site: str
) -> None:
    tab, errors = open_tab(color_scheme="light")
    open_page(tab, f"{real_site}/docs/traceability/coverage.html")
    assert_chart_text_contrast(tab, errors, "light")
    switch_theme(tab, "dark")
    assert_chart_text_contrast(tab, errors, "dark")
    # The choice holds on the next page although the system still prefers light.
    open_page(tab, f"{real_site}/docs/traceability/coverage.html")
    assert_chart_text_contrast(tab, errors, "dark")


@pytest.mark.parametrize("width", [1024, 1280, 1920, 390])
def test_an_anchor_lands_below_the_header(open_tab: Callable[..., Tab], real_site: str, width: int) -> None:
    height = 844 if width == 390 else 800
    page, errors = open_tab(viewport={"width": width, "height": height})
    with urllib.request.urlopen(f"{real_site}/{REQUIREMENT_PAGE}.html", timeout=10) as response:
        assert f'id="{REQUIREMENT}"' in response.read().decode(), f"{REQUIREMENT} moved off {REQUIREMENT_PAGE}"
    page.goto(f"{real_site}/{REQUIREMENT_PAGE}.html#{REQUIREMENT}")
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    header = rect(page.locator(".bd-header"))
    target = rect(page.locator(f"[id='{REQUIREMENT}']"))
    assert page.evaluate("window.scrollY") > 0, "the page did not scroll to the anchor"
    assert target["y"] >= header["y"] + header["height"], (width, target, header)
    assert target["y"] < height / 2, "the anchor should be near the top of the window"
    assert errors == []


@pytest.mark.parametrize("width", [1024, 1280])
def test_the_header_navigation_fits_one_row(open_tab: Callable[..., Tab], real_site: str, width: int) -> None:
    page, errors = open_tab(viewport={"width": width, "height": 800})
    page.goto(f"{real_site}/docs/index.html")
    page.wait_for_load_state("load")
    items = page.locator(".bd-header .navbar-nav > li:visible")
    boxes = [rect(items.nth(i)) for i in range(items.count())]
    assert len(boxes) >= 5
    tops = {round(box["y"]) for box in boxes}
    assert max(tops) - min(tops) <= 2, f"navigation wraps at {width} px: item tops {sorted(tops)}"
    row_bottom = max(box["y"] + box["height"] for box in boxes)
    for part in (".bd-header .navbar-brand", ".bd-header .theme-switch-button", ".bd-header .search-button"):
        box = rect(page.locator(f"{part}:visible").first)
        assert box["y"] < row_bottom and box["y"] + box["height"] > min(tops), f"{part} is not on the nav row"
    header = rect(page.locator(".bd-header"))
    assert header["height"] < 2 * (row_bottom - min(tops)) + 32, "header taller than one row"
    assert errors == []


PHONE_PAGES = ["docs/index", "docs/traceability/matrix", "docs/traceability/vcd", REQUIREMENT_PAGE]

# Tables wider than the screen, each with the overflow of the box it sits in and whether that box is narrower.
WIDE_TABLES_SCRIPT = """() => Array.from(document.querySelectorAll('table')).filter(
  t => t.getBoundingClientRect().width > document.documentElement.clientWidth).map(t => ({
    table: t.className, overflow: getComputedStyle(t.parentElement).overflowX,
    contained: t.parentElement.getBoundingClientRect().right <= document.documentElement.clientWidth + 1,
}))"""


@pytest.mark.parametrize("docname", PHONE_PAGES)
def test_no_page_is_wider_than_a_phone(open_tab: Callable[..., Tab], real_site: str, docname: str) -> None:
    tab, errors = open_tab(viewport=PHONE)
    open_page(tab, f"{real_site}/{docname}.html")
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for table in tab.evaluate(WIDE_TABLES_SCRIPT):
        assert table["overflow"] in ("auto", "scroll") and table["contained"], table
    # The search stays one tap away in the phone's header.
    assert tab.locator(".bd-header .search-button:visible").count() >= 1
    assert errors == []


def test_a_wide_table_scrolls_in_its_box_with_the_first_column_in_view(
    open_tab: Callable[..., Tab], real_site: str
) -> None:
    tab, errors = open_tab(viewport=PHONE)
    open_page(tab, f"{real_site}/docs/traceability/matrix.html")
    table = tab.locator("table.trace-matrix").first
    box = table.locator("xpath=..")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the matrix should be wider than a phone"
    first = table.locator("tbody tr td").first
    before = rect(first)["x"]
    box.evaluate("b => { b.scrollLeft = 200; }")
    assert box.evaluate("b => b.scrollLeft") > 0
    assert rect(first)["x"] == pytest.approx(before, abs=1), "the first column should stay in view"
    assert tab.evaluate("window.scrollX") == 0
    assert errors == []


@pytest.mark.parametrize("docname", ["docs/traceability/coverage", "docs/traceability/_milestones/LDM-503-19a"])
def test_chart_text_is_legible_on_a_phone(open_tab: Callable[..., Tab], real_site: str, docname: str) -> None:
    tab, errors = open_tab(viewport=PHONE)
    open_page(tab, f"{real_site}/{docname}.html")
    sizes = tab.evaluate(
        """() => Array.from(document.querySelectorAll('svg.trace-chart text')).map(text => {
          const svg = text.ownerSVGElement;
          const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
          return [text.textContent, parseFloat(getComputedStyle(text).fontSize) * scale];
        })"""
    )
    assert sizes, f"{docname} should draw a chart"
    assert [s for s in sizes if s[1] < 11] == []
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []


SCREENSHOT_PAGES = {
    "home": "docs/index",
    "matrix": "docs/traceability/matrix",
    "milestone-LDM-503-19a": "docs/traceability/_milestones/LDM-503-19a",
    "requirement": REQUIREMENT_PAGE,
    "milestones": "docs/traceability/milestones",
}


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", [(1280, 800), (390, 844)])
def test_screenshots_in_both_themes(
    open_tab: Callable[..., Tab], real_site: str, theme: Literal["light", "dark"], size: tuple[int, int]
) -> None:
    """_build/screenshots/<page>-<width>-<theme>.png, the theme chosen by the system preference."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width, height = size
    page, errors = open_tab(viewport={"width": width, "height": height}, color_scheme=theme)
    for name, docname in SCREENSHOT_PAGES.items():
        open_page(page, f"{real_site}/{docname}.html")
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        path = SCREENSHOTS / f"{name}-{width}-{theme}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
    assert errors == []


def test_every_chart_fill_has_an_ink_that_reads_on_it() -> None:
    """Counts printed inside bar segments: white or dark ink, whichever reads at 4.5:1 on the segment's colour."""
    poor = {word: fill for word, fill in charts.COLORS.items() if charts.contrast(charts.ink_on(fill), fill) < 4.5}
    assert poor == {}
