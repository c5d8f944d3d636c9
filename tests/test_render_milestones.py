"""Milestone pages and index of a fixture site; the page generator and the P1a scope rule on their own."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from dmtrace.core.milestones import planning_dates, scope_priorities
from dmtrace.core.model import Need
from tests.publish_site import (
    MILESTONES,
    REQUIREMENTS,
    TODAY,
    build,
    expected_milestone_items,
    expected_verification,
    page,
    table_rows,
    write_site,
)
from tests.test_render_coverage import expected_evidence


def plain(html: str) -> str:
    """The page's text: tags dropped (a date is wrapped in a span that keeps it on one line)."""
    return re.sub(r"<[^>]+>", "", html)


STATES = ["verified", "failing", "partially run", "not run", "untraced", "descoped"]


@pytest.fixture(scope="module")
def site(published_site: Path) -> Path:
    return published_site / "_build" / "html"


@pytest.mark.parametrize("milestone", [m.id for m in MILESTONES])
def test_milestone_page_counts_equal_the_sources(site: Path, milestone: str) -> None:
    html = page(site, f"docs/traceability/_milestones/{milestone}")
    items = expected_milestone_items(milestone)
    if not items:
        assert "No item needs this milestone" in html
        return
    counts = Counter(expected_verification(i) for i in items)
    row = table_rows(html, "trace-milestone-counts")[0]
    assert [int(c) for c in row.cells[:7]] == [len(items), *(counts[s] for s in STATES)]
    listed = [r.cells[0].split()[0] for r in _item_rows(html)]
    assert sorted(listed) == sorted(items)


def _item_rows(html: str) -> list:
    """The items of a milestone page: those not yet verified, then the rest."""
    return table_rows(html, "trace-milestone-blockers") + table_rows(html, "trace-milestone-items")


def _expected_signoff_cell(item_id: str) -> str:
    """The fixture has no sign-off snapshot: a VE has no recorded status, a requirement rolls its VEs up."""
    item = next(i for i in REQUIREMENTS if i.id == item_id)
    if item.type == "subreq":
        return "Not Covered (no recorded status: counts as Not Covered)"
    if any(i.options.get("refines") == item_id and i.type == "subreq" for i in REQUIREMENTS):
        return "Not Started"
    return "Not Started (no verification element: counts as Not Started)"


@pytest.mark.parametrize("milestone", [m.id for m in MILESTONES])
def test_milestone_items_show_evidence_and_signoff_as_of_the_records(site: Path, milestone: str) -> None:
    html = page(site, f"docs/traceability/_milestones/{milestone}")
    assert "As of execution records up to 2025-01-13 and no sign-off snapshot." in plain(html)
    rows = {r.cells[0].split()[0]: r for r in _item_rows(html)}
    for item_id in expected_milestone_items(milestone):
        row = rows[item_id]
        assert row.cells[2:4] == [expected_evidence(item_id), _expected_signoff_cell(item_id)], item_id
        assert f"e-{expected_evidence(item_id).lower().replace(' ', '-')}" in row.classes


def test_overdue_days_are_counted_from_the_build_date_against_the_latest_forecast(site: Path) -> None:
    """The fixture's LDM-503-19a is due 2025-02-12; its newest forecast (made 2024-02) says 2024-11-01."""
    html = page(site, "docs/traceability/_milestones/LDM-503-19a")
    days = (dt.date.fromisoformat(TODAY) - dt.date(2024, 11, 1)).days
    assert f"overdue by {days} days" in plain(html)
    assert "2024-11-01 (PMCS February 2024 forecast)" in plain(html)


def test_index_lists_overdue_first_with_chains(site: Path) -> None:
    html = page(site, "docs/traceability/milestones")
    rows = table_rows(html, "trace-milestones")
    assert [r.cells[0].split()[0] for r in rows] == ["LDM-503-19a", "LDM-503-20", "LDM-503-11"]
    assert "m-overdue" in rows[0].classes and "m-completed" in rows[2].classes
    assert "<svg" in html and "Forecast history" in html


def test_scope_comes_from_the_title() -> None:
    def milestone(title: str) -> Need:
        return Need("M-1", "milestone", title, "x.md", 1)

    assert scope_priorities(milestone("All P1a DM requirements verified")) == ["1a"]
    assert scope_priorities(milestone("All 1a,1b DM requirements verified")) == ["1a", "1b"]
    assert scope_priorities(milestone("Test report: HSC reprocessing")) == []


def test_forecast_entries_are_parsed_and_bad_ones_skipped() -> None:
    need = Need(
        "M-1",
        "milestone",
        "t",
        "x.md",
        1,
        fields={"forecast": "2023-12=2025-02-12 junk 2023-10=2025-01-27 2024-02=2025-04-15!@COMC-3250"},
    )
    forecasts = planning_dates(need)[1]
    assert [(f.month, f.date, f.code, f.completed) for f in forecasts] == [
        ("2023-10", dt.date(2025, 1, 27), "", False),
        ("2023-12", dt.date(2025, 2, 12), "", False),
        ("2024-02", dt.date(2025, 4, 15), "COMC-3250", True),
    ]


def test_a_milestone_page_has_breadcrumbs_and_previous_next_like_a_document(site: Path) -> None:
    html = page(site, "docs/traceability/_milestones/LDM-503-19a")
    assert '<li class="breadcrumb-item"><a href="../milestones.html" class="nav-link">Milestones</a>' in html
    assert "<title>LDM-503-19a: All P1a DM requirements verified &#8212;" in html
    links = dict(re.findall(r'<a class="(left-prev|right-next)"\s+href="([^"]+)"', html))
    assert links == {"left-prev": "LDM-503-11.html", "right-next": "LDM-503-20.html"}
    first = dict(
        re.findall(
            r'<a class="(left-prev|right-next)"\s+href="([^"]+)"',
            page(site, "docs/traceability/_milestones/LDM-503-11"),
        )
    )
    assert first["left-prev"] == "../milestones.html"


def test_a_removed_milestone_loses_its_page(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    source = root / "needs" / "fixture" / "milestones.md"
    original = source.read_text()
    source.write_text(original + "\n```{milestone} Data preview 3\n:id: LDM-503-22\n:due: 2028-01\n```\n")
    build(root)
    out = root / "_build" / "html" / "docs" / "traceability" / "_milestones"
    assert (out / "LDM-503-22.html").is_file()
    source.write_text(original)
    build(root)
    assert not (out / "LDM-503-22.html").exists()
    assert sorted(p.stem for p in out.glob("*.html")) == sorted(m.id for m in MILESTONES)


def test_a_new_milestone_gets_its_page_on_an_incremental_build(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    build(root)
    source = root / "needs" / "fixture" / "milestones.md"
    source.write_text(
        source.read_text() + "\n```{milestone} Data preview 2\n:id: LDM-503-21\n:due: 2027-06-30\n"
        ":after: LDM-503-20\n```\n"
    )
    build(root)
    out = root / "_build" / "html"
    assert "due in 217 days" in page(out, "docs/traceability/_milestones/LDM-503-21")
    index = page(out, "docs/traceability/milestones")
    assert "LDM-503-21" in [r.cells[0].split()[0] for r in table_rows(index, "trace-milestones")]
    assert "_milestones/LDM-503-21.html" in index
    assert 'href="LDM-503-21.html"' in page(out, "docs/traceability/_milestones/LDM-503-20")  # successor, next


def test_incremental_build_rewrites_only_the_milestone_pages_whose_items_changed(tmp_path: Path) -> None:
    """A P2 requirement's new title reaches LDM-503-11 (it needs it), not LDM-503-19a (all P1a) or LDM-503-20."""
    root = write_site(tmp_path / "site")
    build(root)
    out = root / "_build" / "html" / "docs" / "traceability" / "_milestones"
    before = {name: (out / f"{name}.html").stat().st_mtime_ns for name in ("LDM-503-11", "LDM-503-19a", "LDM-503-20")}
    source = root / "needs" / "fixture" / "requirements.md"
    source.write_text(source.read_text().replace("Science platform catalog queries", "Catalog queries, renamed"))
    build(root)
    after = {name: (out / f"{name}.html").stat().st_mtime_ns for name in before}
    assert after["LDM-503-11"] != before["LDM-503-11"]
    assert "Catalog queries, renamed" in (out / "LDM-503-11.html").read_text()
    assert after["LDM-503-19a"] == before["LDM-503-19a"]
    assert after["LDM-503-20"] == before["LDM-503-20"]


def test_pages_are_recorded_as_written_only_after_a_build_that_ended(tmp_path: Path) -> None:
    """A build that fails after Sphinx saved its environment must not leave a milestone page stale for good."""
    root = write_site(tmp_path / "site")
    build(root)
    source = root / "needs" / "fixture" / "requirements.md"
    source.write_text(source.read_text().replace("Science platform catalog queries", "Catalog queries, renamed"))
    broken = root / "docs" / "broken.md"
    broken.write_text("# Broken\n\nSee {ref}`no-such-label`.\n")
    cmd = [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(root), str(root / "_build" / "html")]
    failed = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert failed.returncode != 0, "the broken reference should have failed the build"
    broken.unlink()
    build(root)
    assert "Catalog queries, renamed" in page(root / "_build" / "html", "docs/traceability/_milestones/LDM-503-11")


def test_a_configuration_change_reaches_the_milestone_pages(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    build(root)
    conf = root / "conf.py"
    conf.write_text(conf.read_text() + '\nhtml_title = "Renamed site title"\n')
    build(root)
    assert "Renamed site title" in page(root / "_build" / "html", "docs/traceability/_milestones/LDM-503-19a")


def test_dates_in_text_stay_on_one_line_but_attributes_are_left_alone() -> None:
    from dmtrace.views.milestones import unbroken_dates

    html = '<a href="#x" title="due 2024-01-01">LSST-1520</a> completed 2025-06-23; 2024-11-01.'
    assert unbroken_dates(html) == (
        '<a href="#x" title="due 2024-01-01">LSST-1520</a> completed <span class="trace-nowrap">2025-06-23</span>; '
        '<span class="trace-nowrap">2024-11-01</span>.'
    )
