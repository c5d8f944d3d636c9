"""The VCD layout reproduces the VCD: every row of the export, in its order, its eight columns as written (read back
from the real site's page and compared with the CSV read by the csv module), the rows it lacks marked, LSE-61's
priorities beside the VCD's, evidence, sign-off and the records the export does not carry; the export is copied by
the importer byte for byte; the reader of the export locates what it cannot read."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dmtrace.core.vcd import VCD_COLUMNS, read_vcd
from tests.publish_site import TableRow, page, table_rows
from tests.publish_site import build as build_fixture
from tests.publish_site import write_site as write_fixture

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "data" / "rubin" / "vcd_lse61_2025-12-18.csv"  # the oracle: the reference data, read with csv
EXPORT = "results/vcd/LDM-692_2025-12-18.csv"
SITE_PARTS = ("conf.py", "docs", "needs", "results")
VCD_PAGE, MATRIX_PAGE = "docs/traceability/vcd", "docs/traceability/matrix"
EXTRA = "trace-vcd-extra"
# The columns after the VCD's eight, in page order.
LSE61, EVIDENCE, SIGNOFF, RECORDS, NOTE = range(8, 13)


def oracle_rows() -> list[list[str]]:
    with REFERENCE.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        assert tuple(next(reader)) == VCD_COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML of one build of the real site (its conf.py, docs, needs and results), outside any git checkout."""
    tmp = tmp_path_factory.mktemp("vcd")
    source = tmp / "site"
    source.mkdir()
    for part in SITE_PARTS:
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy)(ROOT / part, source / part)
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp)}
    done = subprocess.run(
        [
            sys.executable,
            *("-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-d", str(tmp / "doctrees")),
            *("-D", "trace_results_if_present=", str(source), str(tmp / "html")),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return tmp / "html"


@pytest.fixture(scope="module")
def vcd_rows(site: Path) -> list[TableRow]:
    return table_rows(page(site, VCD_PAGE), "trace-vcd")


def by_requirement(rows: list[TableRow], req_id: str) -> list[TableRow]:
    return [row for row in rows if row.cells[0] == req_id]


def test_every_row_of_the_export_is_on_the_page_in_its_order_with_its_values(vcd_rows: list[TableRow]) -> None:
    shown = [row.cells[:8] for row in vcd_rows if EXTRA not in row.classes]
    expected = oracle_rows()
    assert len(expected) == 428
    assert shown == expected


def test_the_rows_the_export_lacks_follow_it_marked(vcd_rows: list[TableRow]) -> None:
    marked = [index for index, row in enumerate(vcd_rows) if EXTRA in row.classes]
    assert marked and marked == list(range(428, len(vcd_rows)))
    assert all(vcd_rows[index].cells[NOTE] == "not in the VCD" for index in marked)
    assert all(row.cells[NOTE] != "not in the VCD" for row in vcd_rows[:428])
    (no_element,) = by_requirement(vcd_rows, "DMS-REQ-0006")
    assert EXTRA in no_element.classes
    assert no_element.cells[1:8] == ["1b", "", "", "", "", "", ""]
    assert no_element.cells[EVIDENCE] == "Descoped"


def test_lse61_priorities_are_shown_beside_the_vcds_where_they_differ(vcd_rows: list[TableRow]) -> None:
    for req_id, vcd, lse61 in (
        ("DMS-REQ-0336", "2", "1b"),
        ("DMS-REQ-0380", "2", "1b"),
        ("DMS-REQ-0022", "", "2"),
        ("DMS-REQ-0177", "", "1b"),
    ):
        for row in by_requirement(vcd_rows, req_id):
            assert row.cells[1] == vcd
            assert f"requirement: {lse61}" in row.cells[LSE61], req_id
            assert "trace-priority-differs" in row.classes
    elements = {row.cells[2]: row.cells[LSE61] for row in vcd_rows if "element:" in row.cells[LSE61]}
    assert elements == {
        "LVV-10": "requirement: 2 element: 2",
        "LVV-167": "requirement: 1b element: 1b",
        "LVV-20578": "requirement: 1b element: 1b",
        "LVV-20579": "requirement: 1b element: 1b",
        "LVV-79": "requirement: 1b element: 1b",  # no priority in the tracker either: inherited on the site
    }
    differing = {row.cells[0] for row in vcd_rows if row.cells[LSE61]}
    assert differing == {"DMS-REQ-0336", "DMS-REQ-0380", "DMS-REQ-0022", "DMS-REQ-0177"}


def test_ids_keep_the_exports_text_and_link_to_their_cards(vcd_rows: list[TableRow]) -> None:
    first = vcd_rows[0]
    assert first.cells[:3:2] == ["DMS-REQ-0002", "LVV-3"]
    assert [href.rsplit("#", 1)[1] for href in first.hrefs] == ["DMS-REQ-0002", "DMS-REQ-0002-V-01", "LVV-T217"]


def test_evidence_sign_off_and_the_records_the_export_does_not_carry(vcd_rows: list[TableRow]) -> None:
    row = next(r for r in vcd_rows if r.cells[4] == "LVV-T83")
    assert row.cells[6:8] == ["2025-07-16", "Not Executed"]
    assert row.cells[RECORDS] == "Initial Pass undated LVV-E3502 · LVV-P117 · LVV-R275 · DMTR-412"
    assert re.fullmatch(r"(Fully Verified|Partially Verified|With Failures|Not Verified|Not Covered)", row.cells[9])
    assert re.fullmatch(r"(Verified|Monitoring|In Verification|Covered|Not Covered) 2025-07-16", row.cells[SIGNOFF])
    plain = next(r for r in vcd_rows if r.cells[4] == "LVV-T217")
    assert plain.cells[RECORDS] == ""


def test_the_page_says_what_it_reads_and_as_of_when(site: Path) -> None:
    html = page(site, VCD_PAGE)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert f"The first 428 rows are the VCD export {EXPORT}, in its order" in text
    assert "The export carries only each test case's last run date and status" in text
    assert re.search(r"As of execution records up to \d{4}-\d{2}-\d{2} and the sign-off snapshot of 2025-07-16\.", text)


def test_the_matrix_shows_evidence_and_sign_off_side_by_side(site: Path) -> None:
    html = page(site, MATRIX_PAGE)
    assert "As of execution records up to" in html
    rows = {row.cells[0].split()[0]: row for row in table_rows(html, "trace-matrix")}
    assert rows["DMS-REQ-0006"].cells[6:8] == [
        "Descoped",
        "Not Started 2025-07-16 no verification element: counts as Not Started",
    ]
    assert re.fullmatch(r"Fully Verified|Partially Verified|With Failures|Not Verified", rows["DMS-REQ-0002"].cells[6])
    assert rows["DMS-REQ-0002-V-01"].cells[7].endswith(" 2025-07-16")


def test_the_importer_copies_the_export_byte_for_byte(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "import_rubin.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / EXPORT).read_bytes() == REFERENCE.read_bytes() == (ROOT / EXPORT).read_bytes()
    again = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "import_rubin.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr  # CRLF line ends do not read as an author's edit


# ---- the reader of the export, without Sphinx -----------------------------------------------------------------


def test_the_reader_keeps_values_as_written_in_the_files_order(tmp_path: Path) -> None:
    path = tmp_path / "vcd.csv"
    header = ",".join(VCD_COLUMNS)
    path.write_bytes(f'\ufeff{header},extra\r\nB,1a,LVV-2,1a, T ,,,"Pass, noted",x\r\nA,,LVV-1,,,,,,\r\n'.encode())
    export = read_vcd(path, "vcd.csv")
    assert export.problems == []
    assert [(row.line, row.values) for row in export.rows] == [
        (2, ("B", "1a", "LVV-2", "1a", " T ", "", "", "Pass, noted")),
        (3, ("A", "", "LVV-1", "", "", "", "", "")),
    ]


def test_the_reader_locates_what_it_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "vcd.csv"
    path.write_text("requirement,req_priority,test_case\nDMS-REQ-0001,1a,LVV-T1\n", encoding="utf-8")
    (problem,) = read_vcd(path, "results/vcd.csv").problems
    assert (problem.file, problem.line, problem.rule) == ("results/vcd.csv", 1, "trace.vcd")
    assert problem.message == ("missing column(s): verification_element, ve_priority, test_spec, last_run, last_status")
    path.write_text(",".join(VCD_COLUMNS) + "\nA,1a,LVV-1\nB,1a,LVV-2,1a,,,,\n", encoding="utf-8")
    export = read_vcd(path, "vcd.csv")
    assert [(p.line, p.message) for p in export.problems] == [(2, "3 field(s) where the header has 8")]
    assert [row.values[0] for row in export.rows] == ["A", "B"]


# ---- a small site with its own export ------------------------------------------------------------------------


def test_a_site_reproduces_its_own_export_and_marks_the_rest(tmp_path: Path) -> None:
    root = write_fixture(tmp_path / "site")
    (root / "vcd.csv").write_text(
        ",".join(VCD_COLUMNS) + "\n"
        "DMS-REQ-0002,1b,DMS-REQ-0002-V-01,1a,LVV-T2,LDM-639,2025-01-11,Failed\n"
        "DMS-REQ-9999,2,LVV-99,2,LVV-T99,,,\n",
        encoding="utf-8",
    )
    with (root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('trace_vcd = "vcd.csv"\n')
    build_fixture(root)
    rows = table_rows(page(root / "_build" / "html", VCD_PAGE), "trace-vcd")
    assert [row.cells[:8] for row in rows[:2]] == [
        ["DMS-REQ-0002", "1b", "DMS-REQ-0002-V-01", "1a", "LVV-T2", "LDM-639", "2025-01-11", "Failed"],
        ["DMS-REQ-9999", "2", "LVV-99", "2", "LVV-T99", "", "", ""],
    ]
    assert rows[0].cells[LSE61] == "requirement: 1a"
    assert rows[1].cells[NOTE] == "not on this site: DMS-REQ-9999, LVV-99, LVV-T99" and rows[1].hrefs == []
    extra = [(row.cells[0], row.cells[2], row.cells[4]) for row in rows[2:]]
    assert all(EXTRA in row.classes for row in rows[2:])
    assert ("DMS-REQ-0002", "DMS-REQ-0002-V-02", "LVV-T3") in extra
    assert ("DMS-REQ-0002", "DMS-REQ-0002-V-01", "LVV-T2") not in extra
    assert ("DMS-REQ-0007", "", "") in extra


def test_a_trace_vcd_naming_no_file_is_a_located_warning(tmp_path: Path) -> None:
    root = write_fixture(tmp_path / "site")
    with (root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('trace_vcd = "missing.csv"\n')
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(root), str(root / "_build" / "html")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    conf_line = (root / "conf.py").read_text().splitlines().index('trace_vcd = "missing.csv"') + 1
    assert f"conf.py:{conf_line}: WARNING: trace_vcd = 'missing.csv': no such file" in done.stderr
    rows = table_rows(page(root / "_build" / "html", VCD_PAGE), "trace-vcd")
    assert ("DMS-REQ-0007", "—", "—") in [(row.cells[0].split()[0], *row.cells[1:3]) for row in rows]


def test_an_incremental_build_shows_a_changed_export(tmp_path: Path) -> None:
    root = write_fixture(tmp_path / "site")
    export = root / "vcd.csv"
    header = ",".join(VCD_COLUMNS) + "\n"
    export.write_text(header + "DMS-REQ-0001,1a,,,LVV-T1,,2025-01-10,Passed\n", encoding="utf-8")
    with (root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('trace_vcd = "vcd.csv"\n')
    build_fixture(root)
    export.write_text(header + "DMS-REQ-0001,1b,,,LVV-T1,,2025-01-10,Passed\n", encoding="utf-8")
    build_fixture(root)
    rows = table_rows(page(root / "_build" / "html", VCD_PAGE), "trace-vcd")
    assert rows[0].cells[:2] == ["DMS-REQ-0001", "1b"]
    assert rows[0].cells[LSE61] == "requirement: 1a"
