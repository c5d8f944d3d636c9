"""The render context of the views (this build's evaluation, the page, the build date, the VCD export) and their
badges."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dmtrace.core.evaluation import Evaluation
from dmtrace.core.model import Need
from dmtrace.core.vcd import VcdExport
from dmtrace.views.markup import DocRef, NeedRef, Page, Row, Span, table_html, table_text

CLASS_UNSAFE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class RenderContext(Page):
    """Everything a renderer reads: the page being written, the evaluation of this build, the build date, and the
    VCD export the VCD layout reproduces (None: the site has none, the layout shows the site's rows)."""

    evaluation: Evaluation
    today: dt.date
    milestone_pages: Mapping[str, str] = field(default_factory=dict)  # milestone id -> its page, in page order
    vcd: VcdExport | None = None
    # A page written outside Sphinx's documents (a milestone's) collects its tables' text here for their downloads.
    table_texts: list[list[list[str]]] | None = None

    def need(self, need_id: str) -> Need | None:
        return self.evaluation.graph.needs.get(need_id)

    def link(self, need_id: str, text: str = "") -> NeedRef:
        """A link to the need's card (plain code when the need does not exist)."""
        return NeedRef(need_id, text)

    def doc_link(self, docname: str, text: str) -> DocRef:
        return DocRef(docname, text)


DOWNLOAD_MARK = "<!--trace-table-downloads {number}-->"


def page_table_html(
    ctx: RenderContext,
    headers: Sequence[str],
    rows: Iterable[Row],
    classes: Sequence[str] = (),
    widths: Sequence[int] | None = None,
    filter_label: str = "",
) -> str:
    """`table_html` for a page that collects its tables (`table_texts`): the table's text is kept for its CSV and
    XLSX files, and a mark before the table says where their links go."""
    rows = list(rows)
    html = table_html(ctx.links, headers, rows, classes, widths, filter_label)
    if ctx.table_texts is None:
        return html
    ctx.table_texts.append(table_text(headers, rows))
    return DOWNLOAD_MARK.format(number=len(ctx.table_texts)) + html


def css_class(prefix: str, value: str) -> str:
    """`s-traced-directly` from ('s', 'traced directly'): what the filter script reads back."""
    return f"{prefix}-{CLASS_UNSAFE.sub('-', value.lower()).strip('-') or 'none'}"


def badge(value: str, prefix: str = "s") -> Span:
    return Span(value, f"trace-badge {css_class(prefix, value)}")


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"
