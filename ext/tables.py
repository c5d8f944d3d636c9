"""Building blocks shared by the renderers: the render context, need links, badges and the views' tables."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from html import escape

from docutils import nodes
from sphinx.builders import Builder

from .cells import Cell, DocRef, Inline, Lines, Links, NeedRef, NodeEmitter, Span, cell_html, lines
from .checker import Evaluation
from .model import Need

__all__ = ["Cell", "Inline", "Lines", "RenderContext", "Row", "Span", "badge", "css_class", "lines", "percent",
           "table"]

CLASS_UNSAFE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class RenderContext:
    """Everything a renderer reads: the evaluation of this build, where each need lives, and the build date."""

    builder: Builder
    fromdocname: str
    evaluation: Evaluation
    need_docs: dict[str, str]
    today: dt.date

    def need(self, need_id: str) -> Need | None:
        return self.evaluation.graph.needs.get(need_id)

    def link(self, need_id: str, text: str = "") -> NeedRef:
        """A link to the need's card (plain code when the need does not exist)."""
        return NeedRef(need_id, text)

    def doc_link(self, docname: str, text: str) -> DocRef:
        return DocRef(docname, text)

    @cached_property
    def writes_html(self) -> bool:
        return getattr(self.builder, "format", "") == "html"

    @cached_property
    def links(self) -> Links:
        return Links(lambda docname: self.builder.get_relative_uri(self.fromdocname, docname), self.need_docs,
                     self.fromdocname)

    @cached_property
    def nodes(self) -> NodeEmitter:
        """Emits cell content as docutils nodes (field lists, lists, and tables for builders other than HTML)."""
        return NodeEmitter(self.builder, self.fromdocname, self.need_docs)


def css_class(prefix: str, value: str) -> str:
    """`s-traced-directly` from ('s', 'traced directly'): what the filter script reads back."""
    return f"{prefix}-{CLASS_UNSAFE.sub('-', value.lower()).strip('-') or 'none'}"


def badge(value: str, prefix: str = "s") -> Span:
    return Span(value, f"trace-badge {css_class(prefix, value)}")


@dataclass
class Row:
    cells: Sequence[Cell]
    classes: Sequence[str] = ()
    first_cell_classes: Sequence[str] = ()


def table(ctx: RenderContext, headers: Sequence[str], rows: Iterable[Row], classes: Sequence[str] = (),
          widths: Sequence[int] | None = None, filter_label: str = "") -> nodes.Node:
    """A table of the rows; with `filter_label`, wrapped for trace.js, which adds a search box and selects."""
    if ctx.writes_html:
        html = _table_html(ctx.links, headers, rows, classes, widths)
        if filter_label:
            html = (f'<div class="trace-filterable docutils container" role="region" '
                    f'aria-label="{escape(filter_label)}">\n{html}</div>\n')
        return nodes.raw("", html, format="html")
    table_node = _table_nodes(ctx.nodes, headers, rows, classes, widths)
    if not filter_label:
        return table_node
    box = nodes.container(classes=["trace-filterable"])
    box += table_node
    return box


def _classes(names: Iterable[str]) -> str:
    return escape(" ".join(names))


def _table_html(links: Links, headers: Sequence[str], rows: Iterable[Row], classes: Sequence[str],
                widths: Sequence[int] | None) -> str:
    """The HTML the docutils writer and the theme would write for the same table (same classes and structure)."""
    parts = [f'<div class="pst-scrollable-table-container"><table class="{_classes(["trace-table", *classes])} '
             f'table">\n']
    if widths:
        total = sum(widths)
        parts.append("<colgroup>\n")
        parts.extend(f'<col style="width: {100 * width / total:.1f}%" />\n' for width in widths)
        parts.append("</colgroup>\n")
    parts.append('<thead>\n<tr class="row-odd">')
    parts.append("\n".join(f'<th class="head"><p>{escape(title)}</p></th>' for title in headers))
    parts.append("\n</tr>\n</thead>\n<tbody>\n")
    for number, row in enumerate(rows):
        row_classes = _classes([*row.classes, "row-even" if number % 2 == 0 else "row-odd"])
        parts.append(f'<tr class="{row_classes}">')
        for index, cell in enumerate(row.cells):
            first = row.first_cell_classes if index == 0 else ()
            parts.append(f'<td class="{_classes(first)}">' if first else "<td>")
            parts.append(cell_html(cell, links))
            parts.append("</td>\n")
        parts.append("</tr>\n")
    parts.append("</tbody>\n</table>\n</div>\n")
    return "".join(parts)


def _table_nodes(emit: NodeEmitter, headers: Sequence[str], rows: Iterable[Row], classes: Sequence[str],
                 widths: Sequence[int] | None) -> nodes.table:
    table_node = nodes.table(classes=["trace-table", *classes, *(["colwidths-given"] if widths else [])])
    group = nodes.tgroup(cols=len(headers))
    table_node += group
    for width in widths or [1] * len(headers):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    header_row = nodes.row()
    for title in headers:
        entry = nodes.entry()
        entry += nodes.paragraph(title, title)
        header_row += entry
    head += header_row
    group += head
    body = nodes.tbody()
    for row in rows:
        row_node = nodes.row(classes=list(row.classes))
        for index, cell in enumerate(row.cells):
            entry = nodes.entry(classes=list(row.first_cell_classes) if index == 0 else [])
            entry.extend(emit.cell(cell))
            row_node += entry
        body += row_node
    group += body
    return table_node


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"
