"""The published site in headless Chromium: filters, milestone counts, search, console, links, screenshots."""

from __future__ import annotations

import urllib.request
from collections import Counter
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from tests.publish_site import REQUIREMENTS, SCREENSHOTS, expected_milestone_items, expected_verification

GENERATED = [
    "docs/index",
    "docs/traceability/matrix",
    "docs/traceability/vcd",
    "docs/traceability/reverse",
    "docs/traceability/coverage",
    "docs/traceability/milestones",
    "docs/traceability/_milestones/LDM-503-19a",
    "docs/traceability/_milestones/LDM-503-11",
    "docs/traceability/_milestones/LDM-503-20",
]
STATES = ["verified", "failing", "partially run", "not run", "untraced", "descoped"]


def visible_rows(page: object) -> int:
    return page.locator(".trace-filterable tbody tr:visible").count()


def test_matrix_filter_narrows_rows(page: object, fixture_site: str) -> None:
    page.goto(f"{fixture_site}/docs/traceability/matrix.html")
    assert visible_rows(page) == len(REQUIREMENTS)
    box = page.get_by_role("searchbox", name="Filter rows by id or title")
    box.fill("DMS-REQ-0002")
    page.wait_for_function("document.querySelectorAll('.trace-filterable tbody tr.trace-hidden').length > 0")
    assert visible_rows(page) == 3
    box.fill("")
    priority = page.locator("details.trace-facet").first
    priority.locator("summary").click()
    priority.get_by_label("1b", exact=True).check()
    assert visible_rows(page) == len([i for i in REQUIREMENTS if i.options["priority"] == "1b"])
    assert page.trace_errors == []


def test_matrix_is_a_plain_table_without_javascript(browser: object, fixture_site: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.goto(f"{fixture_site}/docs/traceability/matrix.html")
    assert tab.locator(".trace-filterable tbody tr").count() == len(REQUIREMENTS)
    assert tab.locator(".trace-filter-controls").count() == 0
    context.close()


@pytest.mark.parametrize("milestone", ["LDM-503-19a", "LDM-503-11"])
def test_milestone_page_shows_the_counts_of_the_sources(page: object, fixture_site: str, milestone: str) -> None:
    page.goto(f"{fixture_site}/docs/traceability/_milestones/{milestone}.html")
    items = expected_milestone_items(milestone)
    counts = Counter(expected_verification(i) for i in items)
    cells = page.locator("table.trace-milestone-counts tbody td").all_inner_texts()
    assert [int(c) for c in cells[:7]] == [len(items), *(counts[s] for s in STATES)]
    listed = page.locator("table.trace-milestone-blockers tbody tr, table.trace-milestone-items tbody tr")
    assert listed.count() == len(items)
    assert page.trace_errors == []


def test_search_finds_a_requirement_by_id_and_by_title_words(page: object, fixture_site: str) -> None:
    for query in ("DMS-REQ-0003", "alert publication latency"):
        page.goto(f"{fixture_site}/search.html?q={query}")
        results = page.locator("#search-results ul.search li a")
        results.first.wait_for()
        hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
        assert any("needs/fixture/requirements.html" in (href or "") for href in hrefs), (query, hrefs)
    assert page.trace_errors == []


def test_no_console_errors_and_every_internal_link_resolves(page: object, fixture_site: str) -> None:
    checked: dict[str, int] = {}
    for docname in GENERATED:
        url = f"{fixture_site}/{docname}.html"
        page.goto(url)
        page.wait_for_load_state("load")
        assert "<script>alert(" not in page.content()
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = urldefrag(urljoin(url, href)).url
            if urlparse(target).netloc != urlparse(fixture_site).netloc or target in checked:
                continue
            with urllib.request.urlopen(target, timeout=10) as response:
                checked[target] = response.status
    assert page.trace_errors == []
    assert checked and set(checked.values()) == {200}


FIT_SCRIPT = """() => Array.from(document.querySelectorAll('table.trace-table')).filter(
    t => t.scrollWidth > t.parentElement.clientWidth + 1 || t.getBoundingClientRect().right > window.innerWidth)
    .map(t => t.className)"""


@pytest.mark.parametrize(
    "docname",
    [
        "docs/index",
        "docs/traceability/matrix",
        "docs/traceability/vcd",
        "docs/traceability/reverse",
        "docs/traceability/coverage",
        "docs/traceability/milestones",
    ],
)
def test_real_site_tables_fit_a_laptop_screen(page: object, real_site: str, docname: str) -> None:
    page.goto(f"{real_site}/{docname}.html")
    page.wait_for_load_state("load")
    assert page.evaluate(FIT_SCRIPT) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.trace_errors == []


def test_screenshots_of_the_real_site(page: object, real_site: str, fixture_site: str) -> None:
    """Dashboard, matrix and a milestone page at 1280x800, as a new reader sees them."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    real_milestone = f"{real_site}/docs/traceability/_milestones/LDM-503-19a.html"
    with urllib.request.urlopen(f"{real_site}/docs/traceability/milestones.html", timeout=10) as index:
        has_19a = "_milestones/LDM-503-19a.html" in index.read().decode()
    milestone_url = real_milestone if has_19a else f"{fixture_site}/docs/traceability/_milestones/LDM-503-19a.html"
    shots = {
        "dashboard": f"{real_site}/docs/index.html",
        "matrix": f"{real_site}/docs/traceability/matrix.html",
        "milestone": milestone_url,
    }
    for name, url in shots.items():
        page.goto(url)
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{name} overflows horizontally ({width}px)"
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000
    assert page.trace_errors == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("DMS-REQ-0293", "#DMS-REQ-0293"),
        ("0293", "#DMS-REQ-0293"),
        ("LVV-T98", "#LVV-T98"),
        ("LDM-503-19a", "_milestones/LDM-503-19a.html"),
    ],
)
def test_searching_an_id_puts_its_card_first(page: object, real_site: str, query: str, expected: str) -> None:
    page.goto(f"{real_site}/search.html?q={query}")
    first = page.locator(".trace-id-results a").first
    first.wait_for()
    assert first.get_attribute("href").endswith(expected)
    boxes = page.evaluate(
        "() => { const ids = document.querySelector('.trace-id-results'); const found = document.getElementById("
        "'search-results'); return !found || (ids.compareDocumentPosition(found) & Node.DOCUMENT_POSITION_FOLLOWING)"
        " > 0; }"
    )
    assert boxes, "the id answer comes before Sphinx's results"
    first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(expected)
    # Leaving the search page cancels Sphinx's own requests for result summaries: only console errors count here.
    assert [error for error in page.trace_errors if not error.startswith("requestfailed")] == []
