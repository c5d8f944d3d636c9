"""What the generated views write (need links, badges, stacked lines, tables) and its two emitters: HTML and nodes.

Tables are written straight to HTML for HTML builders (one string per table): a matrix of 5,000 rows built as
docutils nodes costs tens of nodes per row to create, walk and garbage-collect. Other builders get the same content
as docutils nodes, and so does content outside tables (field lists, lists).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from html import escape

from docutils import nodes
from sphinx.builders import Builder
from sphinx.util.nodes import make_refnode

from dmtrace.views.generated import generated_html


@dataclass(frozen=True, slots=True)
class NeedRef:
    """A need id linked to its card; plain code when the need does not exist."""

    need_id: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class DocRef:
    """A link to a whole page (a generated milestone page)."""

    docname: str
    text: str


@dataclass(frozen=True, slots=True)
class Span:
    """Text with CSS classes (a badge, a title, a date)."""

    text: str
    classes: str = ""


Inline = str | NeedRef | DocRef | Span


@dataclass(frozen=True, slots=True)
class Lines:
    """Several lines stacked in one cell (one paragraph each): the tests of a requirement, say."""

    lines: tuple[tuple[Inline, ...], ...]


Cell = Inline | Sequence[Inline] | Lines


def lines(items: Iterable[Iterable[Inline]]) -> Lines:
    return Lines(tuple(tuple(item) for item in items))


@dataclass
class Links:
    """Resolves need ids and page names to URIs relative to the page being written (cached per target page)."""

    uri_of_doc: Callable[[str], str]
    need_docs: dict[str, str]
    fromdocname: str
    _uris: dict[str, str] = field(default_factory=dict)
    # The HTML of each link and badge, once per page: tables repeat a requirement on every row of its tests.
    html_of: dict[NeedRef | DocRef | Span, str] = field(default_factory=dict)

    def page_uri(self, docname: str) -> str:
        uri = self._uris.get(docname)
        if uri is None:
            uri = "" if docname == self.fromdocname else self.uri_of_doc(docname)
            self._uris[docname] = uri
        return uri


def text_html(value: str) -> str:
    """Element text: quotes stay quotes (the search index reads raw HTML with its tags stripped)."""
    return escape(value, quote=False)


def inline_html(item: Inline, links: Links) -> str:
    if isinstance(item, str):
        return text_html(item)
    html = links.html_of.get(item)
    if html is None:
        html = links.html_of[item] = _fragment_html(item, links)
    return html


def _fragment_html(item: NeedRef | DocRef | Span, links: Links) -> str:
    if isinstance(item, Span):
        return (
            f'<span class="{escape(item.classes)}">' if item.classes else "<span>"
        ) + f"{text_html(item.text)}</span>"
    if isinstance(item, NeedRef):
        code = f'<code class="trace-id docutils literal notranslate">{_code_words(item.text or item.need_id)}</code>'
        docname = links.need_docs.get(item.need_id)
        if docname is None:
            return code
        href = escape(f"{links.page_uri(docname)}#{item.need_id}")
        return f'<a class="reference internal" href="{href}" title="{escape(item.need_id)}">{code}</a>'
    if isinstance(item, DocRef):
        return (
            f'<a class="reference internal" href="{escape(links.page_uri(item.docname))}" '
            f'title="{escape(item.text)}">{text_html(item.text)}</a>'
        )
    raise TypeError(f"not inline content: {item!r}")


def _code_words(text: str) -> str:
    words = text.split()
    if len(words) == 1:
        return f'<span class="pre">{text_html(words[0])}</span>'
    return " ".join(f'<span class="pre">{text_html(word)}</span>' for word in words)


def inline_text(item: Inline) -> str:
    """What a reader sees of an inline item: its text (a need reference's as its code shows it)."""
    if isinstance(item, str):
        return item
    if isinstance(item, NeedRef):
        return " ".join((item.text or item.need_id).split())
    return item.text


def cell_text(cell: Cell) -> str:
    """A cell's text, one line per paragraph: what the page's cell shows, for the table's CSV and XLSX files."""
    if isinstance(cell, Lines):
        return "\n".join("".join(inline_text(item) for item in line) for line in cell.lines)
    if isinstance(cell, (str, NeedRef, DocRef, Span)):
        return inline_text(cell)
    return "".join(inline_text(item) for item in cell)


def table_text(headers: Sequence[str], rows: Sequence[Row]) -> list[list[str]]:
    """A table as its CSV and XLSX downloads hold it: the headers, then each row's cell texts."""
    return [list(headers), *([cell_text(cell) for cell in row.cells] for row in rows)]


def cell_html(cell: Cell, links: Links) -> str:
    """A cell's content: paragraphs, as the docutils HTML writer would write them."""
    if isinstance(cell, Lines):
        return "\n".join("<p>" + "".join([inline_html(item, links) for item in line]) + "</p>" for line in cell.lines)
    if isinstance(cell, (str, NeedRef, DocRef, Span)):
        return f"<p>{inline_html(cell, links)}</p>" if cell != "" else ""
    return "<p>" + "".join([inline_html(item, links) for item in cell]) + "</p>"


@dataclass(frozen=True)
class NodeEmitter:
    """Emits the same content as docutils nodes, for builders other than HTML and for content outside tables."""

    builder: Builder
    fromdocname: str
    need_docs: dict[str, str]

    def inline(self, item: Inline) -> nodes.Node:
        if isinstance(item, str):
            return nodes.Text(item)
        if isinstance(item, Span):
            return nodes.inline(item.text, item.text, classes=item.classes.split())
        if isinstance(item, NeedRef):
            text = item.text or item.need_id
            label = nodes.literal(text, text, classes=["trace-id"])
            docname = self.need_docs.get(item.need_id)
            if docname is None:
                return label
            return make_refnode(self.builder, self.fromdocname, docname, item.need_id, label, item.need_id)
        return make_refnode(self.builder, self.fromdocname, item.docname, None, nodes.Text(item.text), item.text)

    def paragraph(self, items: Sequence[Inline], classes: Sequence[str] = ()) -> nodes.paragraph:
        paragraph = nodes.paragraph(classes=list(classes))
        paragraph.extend(self.inline(item) for item in items)
        return paragraph

    def cell(self, cell: Cell) -> list[nodes.Node]:
        if isinstance(cell, Lines):
            return [self.paragraph(line) for line in cell.lines]
        if isinstance(cell, (str, NeedRef, DocRef, Span)):
            return [self.paragraph([cell])] if cell != "" else []
        return [self.paragraph(cell)]


@dataclass(frozen=True)
class Page:
    """The page being written: its builder decides HTML or nodes, and links are made relative to it."""

    builder: Builder
    fromdocname: str
    need_docs: dict[str, str]

    @cached_property
    def writes_html(self) -> bool:
        return getattr(self.builder, "format", "") == "html"

    @cached_property
    def links(self) -> Links:
        return Links(
            lambda docname: self.builder.get_relative_uri(self.fromdocname, docname), self.need_docs, self.fromdocname
        )

    @cached_property
    def nodes(self) -> NodeEmitter:
        return NodeEmitter(self.builder, self.fromdocname, self.need_docs)


@dataclass
class Row:
    cells: Sequence[Cell]
    classes: Sequence[str] = ()
    first_cell_classes: Sequence[str] = ()


def table(
    page: Page,
    headers: Sequence[str],
    rows: Iterable[Row],
    classes: Sequence[str] = (),
    widths: Sequence[int] | None = None,
    filter_label: str = "",
) -> nodes.Node:
    """A table of the rows; with `filter_label`, wrapped for trace.js, which adds a search box and selects.

    In HTML the node also carries the table's text (`table_text`: headers, then rows of cell texts), which the
    build writes to the table's CSV and XLSX downloads: the page and its files are made from the same rows.
    """
    if page.writes_html:
        rows = list(rows)
        html = table_html(page.links, headers, rows, classes, widths, filter_label)
        return generated_html(html=html, table_text=table_text(headers, rows))
    table_node = _table_nodes(page.nodes, headers, rows, classes, widths)
    if not filter_label:
        return table_node
    box = nodes.container(classes=["trace-filterable"])
    box += table_node
    return box


def _classes(names: Iterable[str]) -> str:
    return escape(" ".join(names))


def table_html(
    links: Links,
    headers: Sequence[str],
    rows: Iterable[Row],
    classes: Sequence[str] = (),
    widths: Sequence[int] | None = None,
    filter_label: str = "",
) -> str:
    """`table` as an HTML string."""
    html = _table_html(links, headers, rows, classes, widths)
    if not filter_label:
        return html
    return (
        f'<div class="trace-filterable docutils container" role="region" aria-label="{escape(filter_label)}">\n'
        f"{html}</div>\n"
    )


def _table_html(
    links: Links, headers: Sequence[str], rows: Iterable[Row], classes: Sequence[str], widths: Sequence[int] | None
) -> str:
    """The HTML the docutils writer and the theme would write for the same table (same classes and structure)."""
    parts = [
        f'<div class="pst-scrollable-table-container"><table class="{_classes(["trace-table", *classes])} table">\n'
    ]
    if widths:
        total = sum(widths)
        parts.append("<colgroup>\n")
        parts.extend(f'<col style="width: {100 * width / total:.1f}%" />\n' for width in widths)
        parts.append("</colgroup>\n")
    parts.append('<thead>\n<tr class="row-odd">')
    parts.append("\n".join(f'<th class="head"><p>{text_html(title)}</p></th>' for title in headers))
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


def _table_nodes(
    emit: NodeEmitter, headers: Sequence[str], rows: Iterable[Row], classes: Sequence[str], widths: Sequence[int] | None
) -> nodes.table:
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
