"""Inline content of the generated views (need links, badges, stacked lines) and its two emitters: HTML and docutils.

The views' large tables are written straight to HTML (one string per table): a matrix of 5,000 rows built as
docutils nodes costs tens of nodes per row to create, walk and collect. Other builders get the same content as
nodes, and content outside tables (field lists, chains) is emitted as nodes too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape

from docutils import nodes
from sphinx.util.nodes import make_refnode


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
    _uris: dict[str, str] | None = None

    def page_uri(self, docname: str) -> str:
        if self._uris is None:
            self._uris = {}
        uri = self._uris.get(docname)
        if uri is None:
            uri = "" if docname == self.fromdocname else self.uri_of_doc(docname)
            self._uris[docname] = uri
        return uri


def _code_html(text: str) -> str:
    words = " ".join(f'<span class="pre">{escape(word)}</span>' for word in text.split())
    return f'<code class="trace-id docutils literal notranslate">{words}</code>'


def inline_html(item: Inline, links: Links) -> str:
    if isinstance(item, str):
        return str(escape(item))
    if isinstance(item, Span):
        return f'<span class="{escape(item.classes)}">{escape(item.text)}</span>' if item.classes \
            else f"<span>{escape(item.text)}</span>"
    if isinstance(item, NeedRef):
        code = _code_html(item.text or item.need_id)
        docname = links.need_docs.get(item.need_id)
        if docname is None:
            return code
        href = f"{links.page_uri(docname)}#{item.need_id}"
        return f'<a class="reference internal" href="{escape(href)}" title="{escape(item.need_id)}">{code}</a>'
    return (f'<a class="reference internal" href="{escape(links.page_uri(item.docname))}" '
            f'title="{escape(item.text)}">{escape(item.text)}</a>')


def cell_html(cell: Cell, links: Links) -> str:
    """A cell's content: paragraphs, as the docutils HTML writer would write them."""
    if isinstance(cell, Lines):
        return "\n".join(f"<p>{''.join(inline_html(item, links) for item in line)}</p>" for line in cell.lines)
    if isinstance(cell, (str, NeedRef, DocRef, Span)):
        return f"<p>{inline_html(cell, links)}</p>" if cell != "" else ""
    return f"<p>{''.join(inline_html(item, links) for item in cell)}</p>"


@dataclass(frozen=True)
class NodeEmitter:
    """Emits the same content as docutils nodes, for builders other than HTML and for content outside tables."""

    builder: object
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
            return make_refnode(self.builder, self.fromdocname, docname, item.need_id, label,  # type: ignore[arg-type]
                                item.need_id)
        return make_refnode(self.builder, self.fromdocname, item.docname, None,  # type: ignore[arg-type]
                            nodes.Text(item.text), item.text)

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
