"""Each generated table's CSV and XLSX downloads hold exactly the rows of the built page, read back independently."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from urllib.parse import urljoin

import openpyxl
import pytest
from bs4 import BeautifulSoup, Tag

from dmtrace.glue.downloads import csv_bytes, xlsx_bytes

PAGES = [
    "docs/index",
    "docs/traceability/matrix",
    "docs/traceability/vcd",
    "docs/traceability/reverse",
    "docs/traceability/coverage",
    "docs/traceability/milestones",
    "docs/traceability/reconciliation",
]


def cell_text(cell: Tag) -> str:
    """A cell as a reader sees it: its paragraphs' texts, one line each (an empty cell: "")."""
    paragraphs = cell.find_all("p")
    return "\n".join(p.get_text() for p in paragraphs) if paragraphs else cell.get_text()


def page_tables(html: str) -> list[tuple[dict[str, str], list[list[str]]]]:
    """Each table after a download paragraph: the paragraph's links by kind, and the table's header and body rows."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for links in soup.select("p.trace-downloads"):
        hrefs = {a.get_text(): str(a["href"]) for a in links.find_all("a")}
        table = links.find_next("table")
        assert isinstance(table, Tag)
        rows = [[cell_text(c) for c in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]
        found.append((hrefs, rows))
    return found


def xlsx_rows(data: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def tables(published_site: Path) -> dict[str, list[tuple[Path, Path, list[list[str]]]]]:
    """docname -> (CSV file, XLSX file, rows shown) of each generated table of the page."""
    out = published_site / "_build" / "html"
    result = {}
    for docname in PAGES:
        page_url = f"file://{out}/{docname}.html"
        shown = []
        for hrefs, rows in page_tables((out / f"{docname}.html").read_text(encoding="utf-8")):
            files = [Path(urljoin(page_url, hrefs[kind]).removeprefix("file://")) for kind in ("CSV", "XLSX")]
            shown.append((files[0], files[1], rows))
        result[docname] = shown
    return result


@pytest.mark.parametrize("docname", PAGES)
def test_every_generated_table_has_its_downloads_holding_the_page_rows(
    tables: dict[str, list[tuple[Path, Path, list[list[str]]]]], published_site: Path, docname: str
) -> None:
    html = (published_site / "_build" / "html" / f"{docname}.html").read_text(encoding="utf-8")
    assert len(tables[docname]) == html.count('class="trace-table'), "a generated table without its downloads"
    assert tables[docname], f"{docname} shows no generated table"
    for csv_file, xlsx_file, rows in tables[docname]:
        assert len(rows) >= 2
        assert list(csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8"), newline=""))) == rows
        assert xlsx_rows(xlsx_file.read_bytes()) == rows


def test_the_matrix_download_has_a_row_per_requirement_with_its_parts(
    tables: dict[str, list[tuple[Path, Path, list[list[str]]]]],
) -> None:
    from tests.publish_site import REQUIREMENTS

    ((csv_file, _, _),) = tables["docs/traceability/matrix"]
    rows = list(csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8"), newline="")))
    assert rows[0][:2] == ["Requirement", "Priority"]
    assert [row[0].split()[0] for row in rows[1:]] == [item.id for item in REQUIREMENTS]
    first = rows[1]
    assert first[0] == f"DMS-REQ-0001 {REQUIREMENTS[0].title}", "the title as text, markup characters kept"
    assert first[4] == "LVV-T1 passed 2025-01-10"


def test_files_are_the_same_bytes_for_the_same_rows_and_date_and_hold_no_formulas() -> None:
    rows = [["Id", "Note"], ["=1+1", "two\nlines"], ["+A1", ""]]
    when = dt.datetime(2026, 11, 25)
    first = xlsx_bytes(rows, when)
    assert first == xlsx_bytes(rows, when)
    assert first != xlsx_bytes(rows, dt.datetime(2026, 11, 26)), "the build date is the document's date"
    sheet = openpyxl.load_workbook(io.BytesIO(first)).active
    assert sheet is not None
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "=1+1"
    text = csv_bytes([*rows, ["-103", "@SUM(A1)"]]).decode("utf-8")
    # CSV: text a spreadsheet would run as a formula gets a leading apostrophe; a negative number stays a number.
    assert text.startswith("Id,Note\r\n'=1+1,\"two\nlines\"\r\n'+A1,\r\n-103,'@SUM(A1)\r\n")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["Id", "Note"],
        ["'=1+1", "two\nlines"],
        ["'+A1", ""],
        ["-103", "'@SUM(A1)"],
    ]


def test_a_rebuild_remakes_a_tables_xlsx_when_its_rows_or_the_build_date_change(tmp_path: Path) -> None:
    """The XLSX is made again only when the CSV or the date differ: both cases must reach the file."""
    from tests.conftest import new_site
    from tests.support import sphinx_build

    site = new_site(tmp_path)
    site.write("needs/reqs.md", "# R\n\n```{req} First title\n:id: DMS-REQ-0001\n:priority: 2\n```\n")
    site.write("needs/matrix.md", "# M\n\n```{trace-matrix}\n```\n\n```{trace-reverse}\n```\n")
    folder = site.root / "_build" / "html" / "_downloads" / "tables" / "needs"
    assert sphinx_build(site.root, env={"SOURCE_DATE_EPOCH": "1767225600"}).returncode == 0  # 2026-01-01
    source = site.root / "needs" / "reqs.md"
    source.write_text(source.read_text().replace("First title", "Second title"))
    assert sphinx_build(site.root, env={"SOURCE_DATE_EPOCH": "1767225600"}).returncode == 0
    book = openpyxl.load_workbook(folder / "matrix-1.xlsx")
    assert any("Second title" in str(cell.value) for row in book.active.iter_rows() for cell in row)
    # Every page written again (-E), into the same folder, the rows the same, the date another: 2027-01-01.
    assert sphinx_build(site.root, "-E", env={"SOURCE_DATE_EPOCH": "1798761600"}).returncode == 0
    for name in ("matrix-1.xlsx", "matrix-2.xlsx"):
        created = openpyxl.load_workbook(folder / name).properties.created
        assert created is not None and created.date() == dt.date(2027, 1, 1), name
