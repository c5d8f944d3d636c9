"""Tables that work: sortable columns, filters of several values (and "not"), their state in the URL, parents shown
with matching children, a header row that stays in view, phones, and downloads holding the rows of the page."""

from __future__ import annotations

import csv
import io
import urllib.request
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import WAIT_MS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

MATRIX = "docs/traceability/matrix.html"
PHONE = {"width": 390, "height": 844}

# Per body row: the need id of its first cell ("" when none), its depth, and whether it is shown / only context.
ROWS_SCRIPT = """(table) => Array.from(table.tBodies[0].rows).map(row => {
  const id = row.cells[0].querySelector('code');
  const depth = /trace-depth-(\\d+)/.exec(row.cells[0].className);
  return {id: id ? id.textContent.trim() : '', depth: depth ? Number(depth[1]) : 0,
          shown: row.getClientRects().length > 0, context: row.classList.contains('trace-context'),
          classes: Array.from(row.classList), cells: Array.from(row.cells).map(cell => cell.textContent.trim())};
})"""
# Each cell as a reader sees it: its paragraphs, one line each (the oracle the downloads are compared with).
CELLS_SCRIPT = """(table) => Array.from(table.rows).map(row => Array.from(row.cells).map(cell => {
  const paragraphs = Array.from(cell.querySelectorAll('p'));
  return paragraphs.length ? paragraphs.map(p => p.textContent).join('\\n') : cell.textContent;
}))"""


@pytest.fixture
def tab(browser: Browser) -> Iterator[Callable[..., Page]]:
    """tab(url, **context options) -> a loaded page; its script errors fail the test at the end."""
    contexts: list[tuple[BrowserContext, list[str]]] = []

    def open_tab(url: str, **options: Any) -> Page:
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **options})
        errors: list[str] = []
        contexts.append((context, errors))
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(url)
        page.wait_for_load_state("load")
        page.locator(".trace-filter-controls").first.wait_for()
        return page

    yield open_tab
    for context, errors in contexts:
        context.close()
        assert errors == []


def rows(page: Page) -> list[dict[str, Any]]:
    return page.locator("table.trace-table").first.evaluate(ROWS_SCRIPT)


def choose(page: Page, facet: str, *values: str, negate: bool = False) -> None:
    """Opens a facet's drop-down, ticks the values (and "not"), closes it, as a reader does."""
    menu = page.locator("details.trace-facet").filter(has=page.locator(f"summary:text-matches('^{facet}:')"))
    menu.locator("summary").click()
    for value in values:
        menu.get_by_label(value, exact=True).check()
    if negate:
        menu.locator(".trace-facet-not input").check()
    menu.locator("summary").click()


def count_text(page: Page) -> str:
    return page.locator(".trace-filter-count").first.inner_text()


def test_a_column_sorts_both_ways_and_children_stay_under_their_parent(
    tab: Callable[..., Page], real_site: str
) -> None:
    page = tab(f"{real_site}/{MATRIX}")
    before = rows(page)
    assert len(before) > 500

    def parents(table: list[dict[str, Any]]) -> dict[str, str]:
        found, stack = {}, []
        for row in table:
            stack = [r for r in stack if r["depth"] < row["depth"]]
            if stack:
                found[row["id"]] = stack[-1]["id"]
            stack.append(row)
        return found

    header = page.locator("table.trace-table thead th").nth(1)
    assert header.inner_text().startswith("Priority")
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    ascending = rows(page)
    tops = [row["cells"][1] for row in ascending if row["depth"] == 0]
    assert tops == sorted(tops) and tops[0] != tops[-1]
    assert [r["id"] for r in ascending] != [r["id"] for r in before], "sorting should move rows"
    assert parents(ascending) == parents(before), "a sub-requirement left its parent"
    assert "sort=2" in page.url
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    descending = [row["cells"][1] for row in rows(page) if row["depth"] == 0]
    assert descending == sorted(tops, reverse=True)
    assert page.url.endswith("sort=2:desc")
    # Stripes follow the rows as shown: the visible rows alternate, whatever order they were written in.
    stripes = page.evaluate(
        "() => Array.from(document.querySelectorAll('table.trace-table tbody tr'))"
        ".filter(r => !r.classList.contains('trace-hidden')).map(r => r.classList.contains('row-even'))"
    )
    assert stripes == [index % 2 == 0 for index in range(len(stripes))]
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") is None
    assert [r["id"] for r in rows(page)] == [r["id"] for r in before], "the third click restores the page's order"


def test_the_reverse_matrix_sorts_dates_with_empty_cells_last(tab: Callable[..., Page], real_site: str) -> None:
    page = tab(f"{real_site}/docs/traceability/reverse.html?sort=3")
    dates = [row["cells"][2] for row in rows(page)]
    known = [d for d in dates if d != "—"]
    assert known and len(known) < len(dates), "the real reverse matrix has test cases with and without runs"
    assert dates == sorted(known) + ["—"] * (len(dates) - len(known))


def test_a_filter_takes_several_values_and_not(tab: Callable[..., Page], real_site: str) -> None:
    page = tab(f"{real_site}/{MATRIX}")
    table = rows(page)
    choose(page, "Priority", "1a", "1b")
    shown = [row for row in rows(page) if row["shown"]]
    matching = [row for row in shown if not row["context"]]
    expected = [row["id"] for row in table if {"p-1a", "p-1b"} & set(row["classes"])]
    assert [row["id"] for row in matching] == expected
    assert len(expected) < len(table)
    assert count_text(page).startswith(f"{len(expected)} of {len(table)} rows")
    assert "priority=1a,1b" in page.url

    page.get_by_role("button", name="Clear").click()
    assert all(row["shown"] for row in rows(page)) and "priority" not in page.url
    choose(page, "Verification", "verified", negate=True)
    assert page.locator("details.trace-facet summary", has_text="Verification:").inner_text() == (
        "Verification: not verified"
    )
    matching = [row["id"] for row in rows(page) if row["shown"] and not row["context"]]
    assert matching == [row["id"] for row in table if "v-verified" not in row["classes"]]
    assert "verification=!verified" in page.url and "priority" not in page.url


def test_the_state_in_the_url_is_restored_on_load(tab: Callable[..., Page], real_site: str) -> None:
    page = tab(f"{real_site}/{MATRIX}")
    choose(page, "Priority", "1b", "2")
    choose(page, "Evidence", "fully verified", negate=True)
    page.get_by_role("searchbox", name="Filter rows by id or title").fill("data")
    page.locator("table.trace-table thead th").first.get_by_role("button").click()
    page.locator("table.trace-table thead th").first.get_by_role("button").click()
    shared = page.url
    assert "filter=data" in shared and "sort=1:desc" in shared and "evidence=!fully-verified" in shared
    seen = [(row["id"], row["context"]) for row in rows(page) if row["shown"]]
    assert 0 < len(seen) < 100

    other = tab(shared)
    assert [(row["id"], row["context"]) for row in rows(other) if row["shown"]] == seen
    assert other.get_by_role("searchbox", name="Filter rows by id or title").input_value() == "data"
    assert other.locator("table.trace-table thead th").first.get_attribute("aria-sort") == "descending"
    summaries = other.locator("details.trace-facet summary").all_inner_texts()
    assert "Priority: 1b, 2" in summaries and "Evidence: not fully verified" in summaries
    assert count_text(other) == count_text(page)
    other.get_by_role("button", name="Clear").click()
    assert "?" not in other.url
    assert all(row["shown"] for row in rows(other))


def test_a_matching_child_shows_its_parent(tab: Callable[..., Page], fixture_site: str) -> None:
    page = tab(f"{fixture_site}/{MATRIX}")
    page.get_by_role("searchbox", name="Filter rows by id or title").fill("flats")
    shown = [(row["id"], row["context"]) for row in rows(page) if row["shown"]]
    assert shown == [("DMS-REQ-0002", True), ("DMS-REQ-0002-V-01", False)]
    assert count_text(page) == "1 of 10 rows (and 1 parent of matching rows)"
    page.get_by_role("searchbox", name="Filter rows by id or title").fill("calibration")
    shown = [(row["id"], row["context"]) for row in rows(page) if row["shown"]]
    assert shown == [("DMS-REQ-0002", False), ("DMS-REQ-0002-V-01", False), ("DMS-REQ-0002-V-02", False)]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE])
def test_the_header_row_stays_in_view_while_the_rows_scroll(
    tab: Callable[..., Page], real_site: str, viewport: dict[str, int]
) -> None:
    page = tab(f"{real_site}/{MATRIX}", viewport=viewport)
    box = page.locator(".trace-filterable .pst-scrollable-table-container").first
    box.evaluate("b => b.scrollIntoView()")
    box.evaluate("b => { b.scrollTop = 4000; }")
    assert box.evaluate("b => b.scrollTop") > 1000, "the matrix should scroll in its box"
    site_header = page.locator(".bd-header").bounding_box()
    header = page.locator("table.trace-table thead th").first
    cell = header.bounding_box()
    assert site_header and cell
    assert cell["y"] >= site_header["y"] + site_header["height"] - 1, "the header row hides under the site header"
    assert cell["y"] + cell["height"] <= viewport["height"]
    topmost = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('thead') !== null",
        [cell["x"] + 5, cell["y"] + cell["height"] / 2],
    )
    assert topmost, "the header row should be drawn over the rows scrolled under it"
    first_row = page.locator("table.trace-table tbody tr").first.bounding_box()
    assert first_row and first_row["y"] < cell["y"], "the first rows should have scrolled away"


def test_on_a_phone_the_controls_fit_and_the_id_column_stays(tab: Callable[..., Page], real_site: str) -> None:
    page = tab(f"{real_site}/{MATRIX}", viewport=PHONE)
    choose(page, "Priority", "1a")
    page.locator("details.trace-facet summary", has_text="Sign-off:").click()  # left open
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator(".trace-filterable .pst-scrollable-table-container").first
    corner = page.locator("table.trace-table thead th").first
    before = corner.bounding_box()
    box.evaluate("b => { b.scrollLeft = 300; b.scrollTop = 600; }")
    assert box.evaluate("b => b.scrollLeft") > 0
    after = corner.bounding_box()
    assert before and after and after["x"] == pytest.approx(before["x"], abs=1), "the id column left the screen"
    assert page.evaluate("window.scrollX") == 0


@pytest.mark.parametrize("docname", ["docs/traceability/matrix", "docs/traceability/vcd"])
def test_the_downloads_hold_the_rows_of_the_page(tab: Callable[..., Page], real_site: str, docname: str) -> None:
    page = tab(f"{real_site}/{docname}.html")
    shown = page.locator("table.trace-table").first.evaluate(CELLS_SCRIPT)
    assert len(shown) > 400
    href = page.locator(".trace-downloads a", has_text="CSV").first.evaluate("a => a.href")
    with urllib.request.urlopen(href, timeout=10) as response:
        assert response.status == 200
        text = response.read().decode("utf-8")
    assert list(csv.reader(io.StringIO(text, newline=""))) == shown
    xlsx = page.locator(".trace-downloads a", has_text="XLSX").first.evaluate("a => a.href")
    with urllib.request.urlopen(xlsx, timeout=10) as response:
        assert response.read(2) == b"PK"
