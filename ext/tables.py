"""Docutils building blocks shared by the renderers: the render context, need links, tables and status classes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from docutils import nodes
from sphinx.builders import Builder
from sphinx.util.nodes import make_refnode

from .checker import Evaluation
from .model import Need

Cell = str | nodes.Node | Sequence[nodes.Node]
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

    def link(self, need_id: str, text: str | None = None) -> nodes.Node:
        """A reference to the need's card, or plain text when the need does not exist."""
        label = nodes.literal(text or need_id, text or need_id, classes=["trace-id"])
        docname = self.need_docs.get(need_id)
        if docname is None:
            return label
        return make_refnode(self.builder, self.fromdocname, docname, need_id, label, need_id)

    def doc_link(self, docname: str, text: str) -> nodes.Node:
        return make_refnode(self.builder, self.fromdocname, docname, None, nodes.Text(text), text)


def css_class(prefix: str, value: str) -> str:
    """`s-traced-directly` from ('s', 'traced directly'): what the filter script reads back."""
    return f"{prefix}-{CLASS_UNSAFE.sub('-', value.lower()).strip('-') or 'none'}"


def badge(value: str, prefix: str = "s") -> nodes.inline:
    return nodes.inline(value, value, classes=["trace-badge", css_class(prefix, value)])


def _cell_nodes(cell: Cell) -> list[nodes.Node]:
    if isinstance(cell, str):
        return [nodes.paragraph(cell, cell)] if cell else []
    if isinstance(cell, nodes.Node):
        cell = [cell]
    if all(isinstance(item, (nodes.Inline, nodes.Text)) for item in cell):
        paragraph = nodes.paragraph()
        paragraph.extend(cell)
        return [paragraph]
    return list(cell)


def lines(items: Iterable[Sequence[nodes.Node]]) -> list[nodes.Node]:
    """One paragraph per item: several tests or links stacked in one cell."""
    result: list[nodes.Node] = []
    for item in items:
        paragraph = nodes.paragraph()
        paragraph.extend(item)
        result.append(paragraph)
    return result


@dataclass
class Row:
    cells: Sequence[Cell]
    classes: Sequence[str] = ()
    first_cell_classes: Sequence[str] = ()


def table(headers: Sequence[str], rows: Iterable[Row], classes: Sequence[str] = (),
          widths: Sequence[int] | None = None) -> nodes.table:
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
            entry.extend(_cell_nodes(cell))
            row_node += entry
        body += row_node
    group += body
    return table_node


def filterable(table_node: nodes.table, label: str) -> nodes.container:
    """Wraps a table for trace.js, which adds a search box and selects; without JavaScript it is a plain table."""
    box = nodes.container(classes=["trace-filterable"])
    box["aria-label"] = label
    box += table_node
    return box


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"
