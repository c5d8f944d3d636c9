"""Each generated table of an HTML page as CSV and XLSX files, written from the rows the page shows, linked above it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from html import escape
from pathlib import Path

import xlsxwriter
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util.osutil import relative_uri

from dmtrace.glue.resolve import build_date
from dmtrace.views.context import DOWNLOAD_MARK
from dmtrace.views.generated import generated_html

FOLDER = "_downloads/tables"  # under the HTML output; one CSV and one XLSX per generated table
SHEET = "Table"


# A spreadsheet opening the CSV runs a cell starting with one of these as a formula (CSV injection); a number such
# as "-103" is left as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?%?$")


def csv_cell(value: str) -> str:
    """The cell as the CSV holds it: a leading apostrophe before text a spreadsheet would run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) and not NUMBER.match(value) else value


def csv_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    """RFC 4180 CSV (CRLF line ends, quotes where needed) in UTF-8; a cell's lines stay one quoted field; text that
    would run as a formula is kept as text (see csv_cell)."""
    text = io.StringIO(newline="")
    csv.writer(text).writerows([csv_cell(value) for value in row] for row in rows)
    return text.getvalue().encode("utf-8")


def xlsx_bytes(rows: Sequence[Sequence[str]], created: dt.datetime) -> bytes:
    """One sheet: the header row bold, frozen and filterable, every cell a string (never a formula)."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    # The document's dates are the build's, so two builds of one commit give the same bytes.
    workbook.set_properties({"created": created})
    sheet = workbook.add_worksheet(SHEET)
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    widths = [0] * max((len(row) for row in rows), default=0)
    for number, row in enumerate(rows):
        for column, value in enumerate(row):
            sheet.write_string(number, column, value, bold if number == 0 else wrap)
            longest = max((len(line) for line in value.split("\n")), default=0)
            widths[column] = max(widths[column], longest)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, min(max(width, 6), 60) + 2)
    if rows:
        sheet.freeze_panes(1, 1)
        sheet.autofilter(0, 0, len(rows) - 1, len(widths) - 1)
    workbook.close()
    return out.getvalue()


def _stem(docname: str, number: int, count: int) -> str:
    return docname if count == 1 else f"{docname}-{number}"


def _links_html(page_uri: str, stem: str) -> str:
    name = stem.rpartition("/")[2]
    links = []
    for kind in ("CSV", "XLSX"):
        href = escape(relative_uri(page_uri, f"{FOLDER}/{stem}.{kind.lower()}"))
        links.append(
            f'<a class="reference download" href="{href}" download="{escape(name)}.{kind.lower()}" '
            f'aria-label="Download this table as {kind}">{kind}</a>'
        )
    return f'<p class="trace-downloads">Download this table: {" / ".join(links)}</p>\n'


def write_tables(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """`doctree-resolved` (after the views are rendered): each table node's files, and their links before it."""
    tables = [node for node in doctree.findall(generated_html) if "table_text" in node]
    if not tables:
        return
    if not isinstance(app.builder, StandaloneHTMLBuilder) or app.builder.format != "html":
        for node in tables:
            del node["table_text"]
        return
    created = dt.datetime.combine(build_date(app), dt.time())
    page_uri = app.builder.get_target_uri(docname)
    for number, node in enumerate(tables, 1):
        rows: list[list[str]] = node["table_text"]
        del node["table_text"]  # not carried further (parallel writers pickle the doctree)
        stem = _stem(docname, number, len(tables))
        _write_files(app, stem, rows, created)
        node["html"] = _links_html(page_uri, stem) + node["html"]


def page_downloads(app: Sphinx, pagename: str, html: str, tables: list[list[list[str]]]) -> str:
    """A page written from HTML (a milestone's): each collected table's files, and their links at its mark."""
    created = dt.datetime.combine(build_date(app), dt.time())
    page_uri = app.builder.get_target_uri(pagename)
    for number, rows in enumerate(tables, 1):
        stem = _stem(pagename, number, len(tables))
        _write_files(app, stem, rows, created)
        html = html.replace(DOWNLOAD_MARK.format(number=number), _links_html(page_uri, stem), 1)
    return html


def _write_files(app: Sphinx, stem: str, rows: list[list[str]], created: dt.datetime) -> None:
    """The table's CSV and XLSX. The XLSX (the costly one: 0.3 s for 5,000 rows) is made again only when the CSV
    or the build date differs from the last build's: a stamp beside the doctrees says which date it was made for."""
    target = Path(app.outdir, FOLDER, stem)
    target.parent.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = target.parent / f"{target.name}.csv", target.parent / f"{target.name}.xlsx"
    stamp = Path(app.doctreedir, "trace_downloads", f"{stem}.stamp")
    data = csv_bytes(rows)
    unchanged = csv_path.is_file() and csv_path.read_bytes() == data
    if unchanged and xlsx_path.is_file() and stamp.is_file() and stamp.read_text() == created.isoformat():
        return
    _write_if_changed(csv_path, data)
    _write_if_changed(xlsx_path, xlsx_bytes(rows, created))
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(created.isoformat())


def _write_if_changed(path: Path, data: bytes) -> None:
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


def register(app: Sphinx) -> None:
    # After resolve.resolve_placeholders (priority 500), which puts the tables into the page.
    app.connect("doctree-resolved", write_tables, priority=800)
