"""Milestones on the real site, against the reference data read here: completed milestones with their actual dates,
forecasts across renamed codes, the LVV-P117 campaign page, LDM-503-19a's blockers first, the matrix's milestone
column, and the rename mapping file against milestone_history.csv. Screenshots of the index and LDM-503-19a."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import urllib.request
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.publish_site import REPO, table_rows

DATA = REPO / "data" / "rubin"
RENAMES = REPO / "data" / "milestone_renames.csv"
SHOTS = REPO / "_build" / "screenshots"
SIGNED = {"Verified", "Monitoring", "Fully Verified"}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def month(pmcs_month: str) -> str:
    """'February 2024' -> '2024-02'."""
    return dt.datetime.strptime(pmcs_month, "%B %Y").strftime("%Y-%m")


@cache
def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return str(response.read().decode("utf-8"))


def needs(real_site: str) -> dict[str, Any]:
    data = json.loads(fetch(f"{real_site}/needs.json"))
    return data["versions"][data["current_version"]]["needs"]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#8212;", "—")


def milestone_page(real_site: str, milestone_id: str) -> str:
    return fetch(f"{real_site}/docs/traceability/_milestones/{milestone_id}.html")


@pytest.mark.parametrize("milestone_id", ["SITCOM-122", "LSST-1520", "SUMMIT-Oct24-160"])
def test_milestones_that_happened_are_completed_on_their_actual_date(real_site: str, milestone_id: str) -> None:
    reference = next(r for r in rows(DATA / "milestones.csv") if r["id"] == milestone_id)
    actual = reference["actual_public_date"]
    assert actual, "the reference data gives an actual date"
    need = needs(real_site)[milestone_id]
    assert (need["state"], need["actual"], need["forecast_latest"]) == ("completed", actual, "")
    page = text(milestone_page(real_site, milestone_id))
    assert f"{milestone_id} is completed: {actual}" in page
    assert "overdue" not in page.split("After (predecessors)")[0]


def test_both_completion_records_of_summit_oct24_160_are_shown(real_site: str) -> None:
    (mapped,) = [r["code"] for r in rows(RENAMES) if r["milestone"] == "SUMMIT-Oct24-160"]
    done = [r for r in rows(DATA / "milestone_history.csv") if r["code"] == mapped and r["completed"] == "yes"]
    planning_date = done[-1]["due"]
    page = text(milestone_page(real_site, "SUMMIT-Oct24-160"))
    assert "2024-10-24 (public record, outside PMCS; decides)" in page
    assert f"{planning_date} (PMCS {done[-1]['pmcs_month']} completion, as {mapped}; does not decide)" in page
    assert "Which record decides" in page


def test_lsst_1520_forecast_history_continues_under_its_renamed_code(real_site: str) -> None:
    history = rows(DATA / "milestone_history.csv")
    expected = [(month(r["pmcs_month"]), r["due"], "") for r in history if r["code"] == "LSST-1520"]
    expected += [(month(r["pmcs_month"]), r["due"], "COMC-3280") for r in history if r["code"] == "COMC-3280"]
    published = [
        (entry["month"], entry["date"], entry["code"])
        for entry in needs(real_site)["LSST-1520"]["forecast_history"]
        if entry["kind"] == "forecast"
    ]
    assert sorted(published) == sorted(expected)
    assert max(m for m, _, _ in published) > "2024-01"  # past January 2024
    page = text(milestone_page(real_site, "LSST-1520"))
    assert "April 2025 2025-07-03 forecast COMC-3280" in page


def test_ldm_503_19a_shows_its_february_2024_baseline(real_site: str) -> None:
    reference = next(r for r in rows(DATA / "milestones.csv") if r["id"] == "LDM-503-19a")
    need = needs(real_site)["LDM-503-19a"]
    assert (need["forecast_latest"], need["forecast_month"]) == (reference["due_date_pmcs_2024_02"], "2024-02")
    page = text(milestone_page(real_site, "LDM-503-19a"))
    assert f"{reference['due_date']} (PMCS December 2023 baseline)" in page
    assert f"{reference['due_date_pmcs_2024_02']} (PMCS February 2024 baseline)" in page


def test_the_campaign_plan_page_lists_its_41_executions(real_site: str) -> None:
    campaign = rows(DATA / "ldm503_19a_campaign_LVV-P117.csv")
    html = fetch(f"{real_site}/docs/traceability/_milestones/LVV-P117.html")
    shown = [(r.cells[0].split()[0], r.cells[1], r.cells[2]) for r in table_rows(html, "trace-plan-executions")]
    assert sorted(shown) == sorted((r["test_case"], r["execution"], r["execution_status"]) for r in campaign)
    totals = Counter(r["execution_status"] for r in campaign)
    assert len(campaign) == 41 and totals == {"Pass": 38, "Pass w/ Deviation": 1, "Initial Pass": 2}
    lead = text(html)
    assert "LVV-P117 ran 41 executions in test cycle LVV-R275, reported in DMTR-412" in lead
    assert all(f"{count} {word}" in lead for word, count in totals.items())
    # What each execution verifies: the VEs the campaign file names, through their test case.
    verifies = {r.cells[0].split()[0]: r.cells[3] for r in table_rows(html, "trace-plan-executions")}
    for row in campaign:
        for requirement in row["requirements_via_vcd"].split(";"):
            if requirement.strip():
                assert requirement.strip() in verifies[row["test_case"]], row["test_case"]
    milestone = text(milestone_page(real_site, "LDM-503-19a"))
    assert "LVV-P117 LDM-503-19a verification campaign LVV-R275 DMTR-412 41" in milestone


def test_ldm_503_19a_lists_what_blocks_it_first(real_site: str) -> None:
    published = needs(real_site)
    html = milestone_page(real_site, "LDM-503-19a")
    blockers = [r.cells[0].split()[0] for r in table_rows(html, "trace-milestone-blockers")]
    rest = [r.cells[0].split()[0] for r in table_rows(html, "trace-milestone-items")]
    assert html.index("trace-milestone-blockers") < html.index("trace-milestone-items")
    p1a = {
        i
        for i, n in published.items()
        if n["type"] in ("req", "subreq") and n.get("priority") == "1a" and n.get("status") != "descoped"
    }
    expected = {
        i
        for i in p1a
        if published[i].get("evidence")
        and (published[i]["evidence"] != "Fully Verified" or published[i]["signoff"] not in SIGNED)
    }
    assert set(blockers) == expected and set(blockers).isdisjoint(rest)
    assert set(blockers) | set(rest) == {i for i in p1a if published[i].get("evidence")}
    page = text(html)
    assert f"{len(blockers)} of the {len(blockers) + len(rest)} items it needs are not yet verified" in page
    # Each blocker says what is missing, in the evidence's words and the sign-off's.
    for row in table_rows(html, "trace-milestone-blockers"):
        assert row.cells[5].startswith(("evidence ", "sign-off: ")), row.cells
    # Neighbours with their state: LSST-1520 completed before it.
    assert re.search(r"After \(predecessors\) : LSST-1520 completed completed 2025-06-23", page)


def test_the_matrix_names_the_milestone_each_item_is_needed_by(real_site: str) -> None:
    published = needs(real_site)
    html = fetch(f"{real_site}/docs/traceability/matrix.html")
    matrix = {r.cells[0].split()[0]: r for r in table_rows(html, "trace-matrix")}
    p1a = [i for i in matrix if published[i].get("priority") == "1a" and published[i].get("status") != "descoped"]
    assert p1a
    for need_id in p1a:
        assert "LDM-503-19a (all P1a)" in matrix[need_id].cells[5], need_id
        assert "ms-ldm-503-19a" in matrix[need_id].classes
    others = [i for i in matrix if published[i].get("priority") not in ("1a", "1b")]
    assert all(matrix[i].cells[5] == "—" for i in others)


def test_the_rename_mapping_agrees_with_the_planning_history() -> None:
    history = rows(DATA / "milestone_history.csv")
    catalogue = {r["id"]: r for r in rows(DATA / "milestones.csv")}
    mapping = rows(RENAMES)
    assert len(mapping) >= 6
    for entry in mapping:
        old, new = entry["milestone"], entry["code"]
        assert old in catalogue and new not in catalogue
        assert entry["confidence"] in ("high", "medium", "low")
        old_months = [month(r["pmcs_month"]) for r in history if r["code"] == old]
        new_rows = [r for r in history if r["code"] == new]
        assert old_months and new_rows, entry
        # The new code appears only after the old one disappears: one milestone, never listed twice at once.
        assert max(old_months) < min(month(r["pmcs_month"]) for r in new_rows), entry
        # The evidence quotes the names the history gives each code.
        names = {r["name"] for r in new_rows}
        assert any(name in entry["evidence"] for name in names), entry
        assert new in entry["evidence"] or entry["confidence"] != "high"
    assert {e["milestone"]: e["code"] for e in mapping if e["confidence"] == "high"} == {
        "SITCOM-122": "COMC-3250",
        "LSST-1520": "COMC-3280",
        "SITCOM-130": "COMC-3320",
    }


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots_of_the_milestones_index_and_ldm_503_19a(real_site: str, page: Any, theme: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.emulate_media(color_scheme=theme)
    for name, path in (
        ("milestones", "docs/traceability/milestones.html"),
        ("LDM-503-19a", "docs/traceability/_milestones/LDM-503-19a.html"),
    ):
        page.goto(f"{real_site}/{path}")
        page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
        lead = page.locator(".trace-lead").first
        assert lead.is_visible()
        box = lead.bounding_box()
        assert box is not None and box["y"] < 800, "the answer is on the first screen"
        target = SHOTS / f"{name}-1280-{theme}.png"
        page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000


def test_a_milestone_pages_tables_download_as_the_page_shows_them(real_site: str) -> None:
    html = milestone_page(real_site, "LDM-503-19a")
    hrefs = re.findall(r'<p class="trace-downloads">.*?href="([^"]+\.csv)"', html)
    assert len(hrefs) == html.count("<table"), "one download per table"
    blockers = table_rows(html, "trace-milestone-blockers")
    base = f"{real_site}/docs/traceability/_milestones/"
    rows = list(csv.reader(io.StringIO(fetch(urllib.request.urljoin(base, hrefs[0])), newline="")))
    assert rows[0] == ["Requirement", "Priority", "Evidence", "Sign-off", "Test cases, last runs", "What is missing"]
    assert [r[0].split()[0] for r in rows[1:]] == [r.cells[0].split()[0] for r in blockers]


def test_filtering_the_matrix_for_ldm_503_19a_lists_its_items(real_site: str, page: Any) -> None:
    page.goto(f"{real_site}/docs/traceability/matrix.html?filter=LDM-503-19a")
    page.locator(".trace-filter-controls").first.wait_for()
    matched = page.locator(".trace-filterable tbody tr:visible:not(.trace-context)")
    assert matched.count() == page.locator("tbody tr.ms-ldm-503-19a").count() > 100
    assert page.locator(".trace-filterable tbody tr.ms-ldm-503-19a:not(:visible)").count() == 0
