"""The matrix, VCD and reverse views of a fixture site: rows, order, links, escaping, and incremental rebuilds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.publish_site import REQUIREMENTS, SCRIPT_MILESTONE, SCRIPT_TITLE, TESTS, build, page, table_rows, write_site

GENERATED = [
    "docs/index",
    "docs/traceability/matrix",
    "docs/traceability/vcd",
    "docs/traceability/reverse",
    "docs/traceability/coverage",
    "docs/traceability/milestones",
    "docs/traceability/_milestones/LDM-503-19a",
    "docs/traceability/_milestones/LDM-503-20",
]


@pytest.fixture(scope="module")
def site(published_site: Path) -> Path:
    return published_site / "_build" / "html"


def test_matrix_has_one_row_per_requirement_children_under_parent(site: Path) -> None:
    rows = table_rows(page(site, "docs/traceability/matrix"), "trace-matrix")
    ids = [row.cells[0].split()[0] for row in rows]
    assert sorted(ids) == sorted(i.id for i in REQUIREMENTS)
    parent = ids.index("DMS-REQ-0002")
    assert ids[parent + 1 : parent + 3] == ["DMS-REQ-0002-V-01", "DMS-REQ-0002-V-02"]
    for row, item_id in zip(rows, ids, strict=True):
        item = next(i for i in REQUIREMENTS if i.id == item_id)
        assert f"p-{item.options['priority']}" in row.classes
        assert row.cells[1] == item.options["priority"]


def test_matrix_shows_tests_with_results_and_milestones(site: Path) -> None:
    rows = {row.cells[0].split()[0]: row for row in table_rows(page(site, "docs/traceability/matrix"), "trace-matrix")}
    assert rows["DMS-REQ-0001"].cells[4] == "LVV-T1 passed 2025-01-10"
    # Milestones needing the item: an explicit link, and LDM-503-19a's title claiming every P1a item.
    assert rows["DMS-REQ-0001"].cells[5] == "LDM-503-19a (linked, all P1a)"
    assert rows["DMS-REQ-0003"].cells[5] == "LDM-503-19a (all P1a)"
    assert rows["DMS-REQ-0004"].cells[5] == "LDM-503-19a (linked)"
    assert rows["DMS-REQ-0006"].cells[5] == "LDM-503-11 (linked)"
    assert rows["DMS-REQ-0007"].cells[5] == "—"
    assert rows["DMS-REQ-0002"].cells[2] == "traced by children"
    assert rows["DMS-REQ-0007"].cells[2:4] == ["untraced", "untraced"]
    assert rows["DMS-REQ-0005"].cells[2] == "descoped"


def test_every_id_in_the_matrix_links_to_its_need(site: Path) -> None:
    for row in table_rows(page(site, "docs/traceability/matrix"), "trace-matrix"):
        need_id = row.cells[0].split()[0]
        assert row.hrefs[0].endswith(f"needs/fixture/requirements.html#{need_id}")
        for href in row.hrefs[1:]:
            assert "#LVV-T" in href or href.startswith("_milestones/LDM-503")


def test_vcd_layout_has_a_row_per_requirement_element_and_test(site: Path) -> None:
    rows = table_rows(page(site, "docs/traceability/vcd"), "trace-vcd")
    triples = [(r.cells[0].split()[0], r.cells[1].split()[0], r.cells[2].split()[0], r.cells[4]) for r in rows]
    assert ("DMS-REQ-0002", "DMS-REQ-0002-V-01", "LVV-T2", "failed") in triples
    assert ("DMS-REQ-0002", "DMS-REQ-0002-V-02", "LVV-T3", "not run") in triples
    assert ("DMS-REQ-0007", "—", "—", "untraced") in triples
    assert len([t for t in triples if t[0] == "DMS-REQ-0002"]) == 2


def test_reverse_matrix_lists_what_each_test_verifies(site: Path) -> None:
    rows = {r.cells[0].split()[0]: r for r in table_rows(page(site, "docs/traceability/reverse"), "trace-reverse")}
    assert sorted(rows) == sorted(t.id for t in TESTS)
    assert rows["LVV-T3"].cells[4] == "DMS-REQ-0002-V-02 (P1a) not run DMS-REQ-0008 (P1a) not run"
    assert rows["LVV-T5"].cells[3] == "error"


@pytest.mark.parametrize("docname", GENERATED)
def test_titles_with_markup_stay_text(site: Path, docname: str) -> None:
    html = page(site, docname)
    assert "<script>alert(" not in html
    shown = [title for title in (SCRIPT_TITLE, SCRIPT_MILESTONE) if title.split(" <")[0] in html]
    for title in shown:
        assert title.replace("<", "&lt;").replace(">", "&gt;") in html


def test_needs_json_carries_the_computed_fields(site: Path) -> None:
    data = json.loads((site / "needs.json").read_text())
    needs = data["versions"][data["current_version"]]["needs"]
    assert needs["DMS-REQ-0002"]["trace"] == "traced by children"
    assert needs["DMS-REQ-0002"]["verification"] == "failing"
    assert needs["LVV-T4"]["last_result"] == "passed with deviation"
    assert needs["LVV-T4"]["last_run"] == "2025-01-12"


def test_incremental_rebuild_shows_a_new_priority_like_a_clean_build(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    build(root)
    source = root / "needs" / "fixture" / "requirements.md"
    source.write_text(source.read_text().replace(":id: DMS-REQ-0007\n:priority: 3", ":id: DMS-REQ-0007\n:priority: 2"))
    build(root)
    clean = tmp_path / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("_build"))
    build(clean)
    for docname, table_class in (
        ("docs/traceability/matrix", "trace-matrix"),
        ("docs/traceability/coverage", "trace-coverage"),
    ):
        incremental = table_rows(page(root / "_build" / "html", docname), table_class)
        fresh = table_rows(page(clean / "_build" / "html", docname), table_class)
        assert [r.cells for r in incremental] == [r.cells for r in fresh]
    rows = {
        r.cells[0].split()[0]: r
        for r in table_rows(page(root / "_build" / "html", "docs/traceability/matrix"), "trace-matrix")
    }
    assert rows["DMS-REQ-0007"].cells[1] == "2"
