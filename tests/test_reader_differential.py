"""The fast source reader against a real Sphinx build: both must see the same needs in the same MyST sources.

Random MyST sources (hypothesis: fences of every kind and length, options, nesting, encodings, odd ids) and a fixed
set of known hard constructs are written into throw-away sites; each site is built once with Sphinx and read once
with `dmtrace.core.reader.read_texts` from the same bytes. For every need either side saw, the id, type, file, line,
title, fields and links must agree, unless the reader reported the construct as unreadable (`trace.unreadable`,
located in it): a disagreement is allowed only when it is reported. The build must never have produced a need the
reader neither found nor flagged.

"The construct" of a disagreement is the top-level block of the document (a paragraph, a need, a block quote, a list,
a directive, a code fence) that holds the need's line as either side saw it. A problem anywhere in that block excuses
the disagreement; a problem elsewhere does not (a construct that breaks the rest of the document must still be read
as the build reads the rest).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from dmtrace.core.model import FIELDS, LINK_TYPES, METHODS, NEED_TYPES, PRIORITIES, STATUSES
from dmtrace.core.reader import read_texts, read_tree
from tests.support import PYTHON, run, write_site

UNREADABLE = "trace.unreadable"
# The fields and links compared: the model's (what the rules read), and sphinx-needs' `status`.
COMPARED_FIELDS = (*FIELDS, "status")
COMPARED_LINKS = tuple(LINK_TYPES)

# ---------------------------------------------------------------------------------------------------------------
# Sources: blocks that render to lines and remember which needs they planted where.
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    key: str
    value: str | None  # None: the need's id
    separator: str = " "  # between `:key:` and the value: a space, spaces or a tab
    indent: str = ""  # extra indentation before `:key:` (MyST wants the key at column 0)


@dataclass(frozen=True)
class NeedBlock:
    type: str
    title: str
    title_gap: str  # between `{type}` and the title
    char: str  # fence character: ` ~ :
    length: int  # at least 3; made longer than any same-character fence inside
    indent: int  # 0-3 spaces before the opening fence
    close_indent: int
    closed: bool  # an open fence runs to the end of its container (only ever the last block of one)
    id_style: str
    has_id: bool
    options: tuple[Option, ...]
    yaml: bool  # options as a `---` YAML block instead of `:key: value` lines
    gap_after: int  # a blank line after this many option lines (-1: none)
    body: tuple[Block, ...]
    same_length: bool  # nested same-character fences of the same length (a classic mistake)


@dataclass(frozen=True)
class Paragraph:
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Container:
    """A block quote, a list item, a non-need directive, a code fence, an indented code block or a `:::` div."""

    kind: str  # quote | list | directive | code | indented | div
    marker: str  # quote: "> " or ">"; list: "- ", "1. " ...; directive/code: the info string
    char: str
    length: int
    children: tuple[Block, ...]
    lead: str = ""  # list: a paragraph on the marker line before the children


@dataclass(frozen=True)
class RstNeed:
    type: str
    title: str
    options: tuple[Option, ...]


Block = NeedBlock | Paragraph | Container | RstNeed


@dataclass(frozen=True)
class Document:
    blocks: tuple[Block, ...]
    heading: str | None
    bom: bool
    crlf: bool


@dataclass
class Planted:
    """A need the generator wrote (whether or not it is one for MyST): its line and how it was written."""

    id: str
    line: int  # 1-based, in the file
    where: str


@dataclass
class Rendered:
    lines: list[str]
    planted: list[Planted]  # lines relative to this block (0-based)
    longest: dict[str, int]  # the longest fence of each character inside (to make outer fences longer)


class Ids:
    """Unique ids for one site, in several styles (all of them valid for `needs_id_regex = ^\\S+$`)."""

    STYLES: ClassVar[dict[str, str]] = {
        "req": "DMS-REQ-{n:04d}",
        "subreq": "DMS-REQ-{n:04d}-V-01",
        "test": "LVV-T{n}",
        "milestone": "LDM-503-{n}",
        "upstream": "OSS-REQ-{n:04d}",
        "plan": "LVV-P{n}",
        "lower": "lvv-t{n}",
        "unicode": "MS-Ü{n}",
        "dotted": "X.{n}_a",
        "digits": "{n:05d}",
        "hash": "ID#{n}",
        "colon": "a:{n}",
    }

    def __init__(self) -> None:
        self.count = 0

    def next(self, style: str) -> str:
        self.count += 1
        return self.STYLES[style].format(n=self.count)


def _option_line(option: Option, need_id: str) -> str:
    value = need_id if option.value is None else option.value
    return f"{option.indent}:{option.key}:{option.separator if value else ''}{value}"


def render(block: Block, ids: Ids, last: bool) -> Rendered:
    """The block's lines; `last`: the block ends its container, so an open fence may stay open."""
    if isinstance(block, Paragraph):
        return Rendered(list(block.lines), [], {})
    if isinstance(block, RstNeed):
        need_id = ids.next(block.type)
        lines = ["```{eval-rst}", f".. {block.type}:: {block.title}", f"   :id: {need_id}"]
        lines += ["   " + _option_line(o, need_id) for o in block.options]
        where = f"{block.type} written in reStructuredText inside {{eval-rst}}"
        return Rendered([*lines, "```"], [Planted(need_id, 1, where)], {"`": 3})
    if isinstance(block, NeedBlock):
        return _render_need(block, ids, last)
    return _render_container(block, ids, last)


def _render_children(children: Sequence[Block], ids: Ids) -> Rendered:
    lines: list[str] = []
    planted: list[Planted] = []
    longest: dict[str, int] = {}
    for index, child in enumerate(children):
        if index:
            lines.append("")
        inner = render(child, ids, last=index == len(children) - 1)
        planted += [Planted(p.id, p.line + len(lines), p.where) for p in inner.planted]
        lines += inner.lines
        for char, length in inner.longest.items():
            longest[char] = max(longest.get(char, 0), length)
    return Rendered(lines, planted, longest)


def _fence(char: str, length: int, longest: dict[str, int], same_length: bool = False) -> str:
    inner = longest.get(char, 0)
    if inner and same_length:
        return char * inner
    return char * max(length, inner + 1)


def _render_need(block: NeedBlock, ids: Ids, last: bool) -> Rendered:
    need_id = ids.next(block.id_style) if block.has_id else ""
    body = _render_children(block.body, ids)
    indent = " " * block.indent
    fence = _fence(block.char, block.length, body.longest, block.same_length)
    lines = [f"{indent}{fence}{{{block.type}}}{block.title_gap if block.title else ''}{block.title}"]
    options = [Option("id", None), *block.options] if block.has_id else list(block.options)
    if block.yaml:
        lines.append(indent + "---")
        lines += [f"{indent}{o.key}: {need_id if o.value is None else o.value}" for o in options]
        lines.append(indent + "---")
    else:
        for index, option in enumerate(options):
            if index == block.gap_after:
                lines.append("")
            lines.append(indent + _option_line(option, need_id))
    planted: list[Planted] = []
    if block.body:
        lines.append("")
        planted = _within(body.planted, len(lines), f"in the body of a {block.type}")
        lines += [indent + line if line else "" for line in body.lines]
    if block.closed or not last:
        lines.append(" " * block.close_indent + fence)
    where = ", ".join(
        [f"{block.type} in a {fence} fence" + (f" indented {block.indent}" if block.indent else "")]
        + _oddities(block, options, same_length=block.same_length and len(fence) == body.longest.get(block.char))
        + ([] if block.closed or not last else ["never closed"])
    )
    planted.insert(0, Planted(need_id, 0, where))
    longest = dict(body.longest)
    longest[block.char] = max(longest.get(block.char, 0), len(fence))
    return Rendered(lines, planted, longest)


def _oddities(block: NeedBlock, options: list[Option], same_length: bool) -> list[str]:
    """What is unusual about a need's source, for the failure report."""
    values = [o.value for o in options if o.value]
    targets = [[t.strip() for t in re.split(r"[,;|]", o.value)] for o in options if o.value and o.key in LINK_TYPES]
    keys = [o.key for o in options]
    found = {
        "YAML options": block.yaml,
        "a tab after a :key:": any(o.separator == "\t" for o in options),
        "an indented option line": any(o.indent for o in options),
        "a blank line among the options": block.gap_after >= 0 and block.gap_after < len(options) and not block.yaml,
        "a quoted value": any(v.strip()[:1] in "'\"" for v in values),
        "a # in a value": any(" #" in v for v in values),
        "an option given twice": len(set(keys)) < len(keys),
        "a link target given twice": any(len(set(t)) < len(t) for t in targets),
        "a line separator in the title": any(c in block.title for c in LINE_SEPARATORS),
        "a backtick in a backtick fence's title": block.char == "`" and "`" in block.title,
        "no space before the title": bool(block.title) and block.title_gap == "",
        "a nested fence of the same length": same_length,
    }
    unknown = [f"unknown option :{k}:" for k in keys if k not in (*COMPARED_FIELDS, *COMPARED_LINKS, "id")]
    return [text for text, present in found.items() if present] + unknown


def _render_container(block: Container, ids: Ids, last: bool) -> Rendered:
    inner = _render_children(block.children, ids)
    if block.kind == "quote":
        lines = [block.marker + line if line else block.marker.rstrip() for line in inner.lines]
        return Rendered(lines, _within(inner.planted, 0, "in a block quote"), inner.longest)
    if block.kind == "list":
        pad = " " * len(block.marker)
        body = ([block.lead, ""] if block.lead else []) + inner.lines
        lines = [block.marker + body[0], *(pad + line if line else "" for line in body[1:])]
        return Rendered(lines, _within(inner.planted, len(body) - len(inner.lines), "in a list item"), inner.longest)
    if block.kind == "indented":
        lines = ["    " + line if line else "" for line in inner.lines]
        return Rendered(lines, _within(inner.planted, 0, "inside an indented code block"), {})
    fence = _fence(block.char, block.length, inner.longest)
    lines = [fence + block.marker, *inner.lines, fence]
    what = f"inside a {fence}{block.marker} block"
    longest = dict(inner.longest)
    longest[block.char] = max(longest.get(block.char, 0), len(fence))
    return Rendered(lines, _within(inner.planted, 1, what), longest)


def _within(planted: list[Planted], shift: int, where: str) -> list[Planted]:
    return [Planted(p.id, p.line + shift, f"{p.where}, {where}") for p in planted]


@dataclass
class Span:
    first: int  # 1-based, inclusive
    last: int
    kind: str


@dataclass
class RenderedDocument:
    data: bytes
    planted: list[Planted]
    spans: list[Span]  # the top-level blocks

    def span_of(self, line: int) -> Span | None:
        return next((s for s in self.spans if s.first <= line <= s.last), None)


def render_document(document: Document, ids: Ids) -> RenderedDocument:
    lines: list[str] = []
    planted: list[Planted] = []
    spans: list[Span] = []
    if document.heading is not None:
        lines += [document.heading, ""]
    for index, block in enumerate(document.blocks):
        if index:
            lines.append("")
        done = render(block, ids, last=index == len(document.blocks) - 1)
        planted += [Planted(p.id, p.line + len(lines) + 1, p.where) for p in done.planted]
        spans.append(Span(len(lines) + 1, len(lines) + len(done.lines), type(block).__name__))
        lines += done.lines
    text = ("\r\n" if document.crlf else "\n").join([*lines, ""])
    return RenderedDocument(("\ufeff" if document.bom else "").encode() + text.encode(), planted, spans)


# ---------------------------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------------------------

WORDS = ("archive", "image", "data", "of", "the", "règle", "数据", "Überprüfung", "x", "42", "naïve")
TITLE_ODDITIES = (
    "*stars*",
    "_under_",
    "<b>",
    "&amp;",
    "{x}",
    "a: b",
    "#1",
    "\\*",
    "|",
    "%",
    "😀",
    "  ",
    "\t",
    "`code`",
)
# Line breaks for Python's str.splitlines, not for CommonMark (nor for Sphinx, which reads with universal newlines).
LINE_SEPARATORS = ("\u2028", "\x85", "\x0c")
FIELD_VALUES: dict[str, tuple[str, ...]] = {
    "priority": PRIORITIES,
    "method": METHODS,
    "status": STATUSES,
    "due": ("2025-01-31", "2025-01"),
    "completed": ("2024-12-01",),
    "lcrs": ("LCR-1", "LCR-12 LCR-13"),
    "jira": ("DM-123", "LVV-E7"),
    "section": ("1.2.3",),
    "pytest": ("tests/test_a.py::test_b tests/test_c.py::test_d",),
    "forecast": ("2024-01=2025-01-31 2024-06=2025-03-01",),
    "aliases": ("First light; FL",),
}
ODD_VALUES = ('"quoted"', "'single'", "a # comment", "a: b", "", "Ünïcode ok", "trailing   ")
LINK_TARGETS = ("DMS-REQ-0001", "DMS-REQ-0002-V-01", "LVV-T1", "LDM-503-1", "MS-Ü7")
LINK_SEPARATORS = (", ", ",", "; ", " | ", " ")
UNKNOWN_KEYS = ("refine", "Priority", "prio", "tags")


def one_in(draw: st.DrawFn, n: int) -> bool:
    """True once in n draws; never in hypothesis' first, simplest example (which is then a plain site)."""
    return draw(st.integers(1, n)) == n


@st.composite
def titles(draw: st.DrawFn, char: str) -> str:
    bits = draw(st.lists(st.sampled_from(WORDS + TITLE_ODDITIES), min_size=0, max_size=5))
    if char == "`" and not one_in(draw, 20):
        # CommonMark: a backtick fence's info string holds no backtick (the line is no fence); now and then on purpose.
        bits = [b for b in bits if "`" not in b]
    if one_in(draw, 30):
        bits.insert(draw(st.integers(0, len(bits))), draw(st.sampled_from(LINE_SEPARATORS)))
    return " ".join(bits) if draw(st.booleans()) else "".join(bits)


@st.composite
def options(draw: st.DrawFn, need_type: str) -> tuple[Option, ...]:
    applying = [n for n, f in FIELDS.items() if need_type in f.applies_to] + ["status"]
    made: list[Option] = []
    for _ in range(draw(st.integers(0, 4))):
        pick = draw(st.integers(0, 19))
        if pick < 8:
            key = draw(st.sampled_from(applying))
        elif pick < 14:
            key = draw(st.sampled_from(list(LINK_TYPES)))
        elif pick < 19:
            key = draw(st.sampled_from(list(FIELDS)))
        else:
            key = draw(st.sampled_from(UNKNOWN_KEYS))
        if key in LINK_TYPES:
            targets = draw(st.lists(st.sampled_from(LINK_TARGETS), min_size=1, max_size=3, unique=True))
            if one_in(draw, 15):
                targets.append(targets[0])  # a target given twice
            value = draw(st.sampled_from(LINK_SEPARATORS)).join(targets)
        elif one_in(draw, 6):
            value = draw(st.sampled_from(ODD_VALUES))
        else:
            value = draw(st.sampled_from(FIELD_VALUES.get(key, ("free text", "Ünïcode", "v1"))))
        if any(o.key == key for o in made) and not one_in(draw, 8):
            continue  # an option given twice, now and then
        separator = "\t" if one_in(draw, 40) else draw(st.sampled_from((" ", " ", "  ")))
        indent = " " if one_in(draw, 30) else ""
        made.append(Option(key, value, separator, indent))
    return tuple(made)


@st.composite
def paragraphs(draw: st.DrawFn) -> Paragraph:
    count = draw(st.integers(1, 2))
    lines = [" ".join(draw(st.lists(st.sampled_from((*WORDS, "`{req}`", "*em*")), min_size=1, max_size=6)))]
    if count == 2:
        lines.append(draw(st.sampled_from(("more text", "see `x`", "text ```{req} not at the start"))))
    return Paragraph(tuple(lines))


@st.composite
def needs(draw: st.DrawFn, depth: int) -> NeedBlock:
    need_type = draw(st.sampled_from(list(NEED_TYPES)))
    char = draw(st.sampled_from("`~:"))
    body: tuple[Block, ...] = ()
    if depth < 3 and one_in(draw, 6):
        body = tuple(draw(st.lists(blocks(depth + 1), min_size=1, max_size=2)))
    elif draw(st.booleans()):
        body = (draw(paragraphs()),)
    return NeedBlock(
        type=need_type,
        title=draw(titles(char)),
        title_gap=draw(st.sampled_from((" ", " ", " ", "  ", "\t", ""))),
        char=char,
        length=draw(st.integers(3, 5)),
        indent=draw(st.sampled_from((0, 0, 0, 1, 2, 3))),
        close_indent=draw(st.sampled_from((0, 0, 0, 1, 3))),
        closed=not one_in(draw, 20),
        id_style=draw(st.sampled_from((need_type, need_type, need_type, *Ids.STYLES))),
        has_id=not one_in(draw, 30),
        options=draw(options(need_type)),
        yaml=one_in(draw, 20),
        gap_after=draw(st.integers(1, 3)) if one_in(draw, 20) else -1,
        body=body,
        same_length=one_in(draw, 10),
    )


@st.composite
def containers(draw: st.DrawFn, depth: int) -> Container:
    kinds = ("quote", "quote", "list", "list", "directive", "directive", "code", "indented", "div")
    kind = draw(st.sampled_from(kinds))
    children = tuple(draw(st.lists(blocks(depth + 1), min_size=1, max_size=2)))
    char = {"directive": draw(st.sampled_from("`~:")), "div": ":"}.get(kind) or draw(st.sampled_from("`~"))
    marker = {
        "quote": st.sampled_from(("> ", "> ", ">")),
        "list": st.sampled_from(("- ", "* ", "+ ", "1. ", "2) ", "10. ")),
        "directive": st.sampled_from(("{note}", "{tip}", "{warning}", "{admonition} About it")),
        "code": st.sampled_from(("python", "text", "", "{code-block} markdown", "markdown")),
        "indented": st.just(""),
        "div": st.sampled_from(("", "aside")),  # MyST renders a colon fence without {name} as a div of Markdown
    }[kind]
    lead = draw(st.sampled_from(("", "", "an item"))) if kind == "list" else ""
    return Container(kind, draw(marker), char, draw(st.integers(3, 5)), children, lead)


def blocks(depth: int = 0) -> st.SearchStrategy[Block]:
    if depth >= 3:
        return st.one_of(needs(depth), paragraphs())
    choices = [needs(depth), needs(depth), needs(depth), paragraphs(), containers(depth)]
    if depth == 0:
        status = st.sampled_from(((), (Option("status", "descoped"),)))
        rst = st.builds(RstNeed, st.sampled_from(list(NEED_TYPES)), st.sampled_from(WORDS), status)
        choices.append(st.integers(0, 4).flatmap(lambda n: rst if n == 0 else paragraphs()))
    return st.one_of(*choices)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    bom = one_in(draw, 10)
    found = draw(st.lists(blocks(), min_size=1, max_size=6))
    if bom:  # a fence right after the byte-order mark
        found.insert(0, draw(needs(0)))
    heading = (
        None
        if bom or one_in(draw, 5)
        else "# " + " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))
    )
    return Document(tuple(found), heading, bom, crlf=one_in(draw, 10))


class GeneratedSite:
    """Documents to write under needs/; the repr stays one line (hypothesis prints it for a failing example)."""

    FOLDERS = ("", "", "", "deep/er/", "ü/")

    def __init__(self, docs: list[Document]) -> None:
        ids = Ids()
        self.files: dict[str, RenderedDocument] = {}
        for index, doc in enumerate(docs):
            name = f"needs/{self.FOLDERS[index % len(self.FOLDERS)]}g{index:02d}.md"
            self.files[name] = render_document(doc, ids)

    def __repr__(self) -> str:
        planted = sum(len(d.planted) for d in self.files.values())
        return f"GeneratedSite({len(self.files)} documents, {planted} planted needs)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis' printer: not the whole structure
        printer.text(repr(self))


def sites(min_docs: int, max_docs: int) -> st.SearchStrategy[GeneratedSite]:
    return st.lists(documents(), min_size=min_docs, max_size=max_docs).map(GeneratedSite)


# ---------------------------------------------------------------------------------------------------------------
# Both sides, and the comparison
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Built:
    root: Path  # where it was built (a replayed example may be written again elsewhere)
    needs: dict[str, dict[str, Any]]
    stderr: str


_BUILDS: dict[str, Built] = {}


def build(root: Path, files: dict[str, bytes]) -> Built:
    """A fixture site holding `files` in `root`, built with Sphinx (without -W: generated mistakes warn). The build is
    memoized by content: hypothesis replaying a failing example costs no second build."""
    write_site(root, {})
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    key = hashlib.sha256(json.dumps(sorted((n, d.hex()) for n, d in files.items())).encode()).hexdigest()
    if key not in _BUILDS:
        done = run([PYTHON, "-m", "sphinx", "-b", "html", "-q", ".", "_build/html"], root)
        # 1: the project's rules found violations (generated sources break them freely); more: Sphinx crashed.
        assert done.returncode in (0, 1), f"the Sphinx build of {root} crashed:\n{done.stderr[-3000:]}"
        exported = json.loads((root / "_build" / "html" / "needs.json").read_text(encoding="utf-8"))
        _BUILDS[key] = Built(root, exported["versions"][exported["current_version"]]["needs"], done.stderr)
    return _BUILDS[key]


def read(files: dict[str, bytes]) -> Any:
    # The text as the file holds it, a byte-order mark and CRLF line ends kept (a git blob decoded as UTF-8 holds them).
    return read_texts((name, data.decode("utf-8")) for name, data in sorted(files.items()))


@dataclass(frozen=True)
class Seen:
    """One need as one side saw it, in the same terms for both.

    Link targets are compared sorted: sphinx-needs keeps each link option as a sorted set, so their order means
    nothing; a target given twice still counts (the build keeps it once, and a rule counting targets would differ).
    """

    type: str
    file: str
    line: int
    title: str
    fields: tuple[tuple[str, str], ...]
    links: tuple[tuple[str, tuple[str, ...]], ...]

    def __str__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.fields)
        links = ", ".join(f"{k}={list(v)}" for k, v in self.links)
        return f"{self.type} {self.title!r} at {self.file}:{self.line} fields {{{fields}}} links {{{links}}}"


def _from_reader(need: Any) -> Seen:
    fields = tuple((k, str(need.fields[k])) for k in COMPARED_FIELDS if need.fields.get(k))
    links = tuple((k, tuple(sorted(need.links[k]))) for k in COMPARED_LINKS if need.links.get(k))
    return Seen(need.type, need.file, need.line, need.title, fields, links)


def _from_build(need: dict[str, Any]) -> Seen:
    fields = tuple((k, str(need[k])) for k in COMPARED_FIELDS if need.get(k) not in (None, ""))
    links = tuple((k, tuple(sorted(need[k]))) for k in COMPARED_LINKS if need.get(k))
    return Seen(
        need["type"],
        need["docname"] + need.get("doctype", ".md"),
        int(need["lineno"] or 0),
        need["title"],
        fields,
        links,
    )


@dataclass
class Disagreement:
    need_id: str
    file: str
    line: int
    what: str
    reader: str
    build: str
    construct: str
    source: str
    warnings: list[str]  # what the build warned about in the construct

    def __str__(self) -> str:
        said = "".join(f"\n    build said: {w}" for w in self.warnings)
        return (
            f"{self.file}:{self.line}: {self.need_id!r} ({self.construct}): {self.what}\n"
            f"    reader: {self.reader}\n    build:  {self.build}{said}\n{self.source}"
        )


WARNING = re.compile(r"(?:^|/)(?P<file>needs/\S+?\.md):(?P<line>\d+): WARNING: (?P<message>.*)$")


def warnings_in(stderr: str, file: str, first: int, last: int, limit: int = 3) -> list[str]:
    found = []
    for text in stderr.splitlines():
        match = WARNING.search(text)
        if match and match["file"] == file and first <= int(match["line"]) <= last:
            found.append(f"line {match['line']}: {match['message']}")
    return found[:limit]


SHOWN = str.maketrans({"\t": "→", "\r": "␍", "\ufeff": "<BOM>", "\u2028": "<LS>", "\x85": "<NEL>", "\x0c": "<FF>"})


def excerpt(data: bytes, first: int, last: int, mark: int) -> str:
    """The construct's lines around `mark` (its first line always), numbered, odd characters made visible."""
    lines = data.decode("utf-8", errors="replace").split("\n")
    last = min(last, len(lines))
    shown = [first, *range(max(first + 1, mark - 5), min(last, max(mark, first) + 6) + 1)]
    out = []
    for previous, number in zip([first - 1, *shown], shown, strict=False):
        if number > previous + 1:
            out.append("          ...")
        out.append(f"    {'>' if number == mark else ' '}{number:4} | {lines[number - 1].translate(SHOWN)}")
    return "\n".join(out)


def compare(
    files: dict[str, bytes], planted: dict[str, RenderedDocument], built: Built, tree: Any
) -> list[Disagreement]:
    """Every disagreement between the reader's tree and the build's needs that no problem of the reader excuses.

    A need without an id is no need for sphinx-needs (it refuses it); the reader keeps it, with the id "", so that the
    rules report it (trace.id-pattern) on both paths: the reader's id "" is left out here. A need the build has is
    compared whatever the reader made of it.
    """
    problems = [p for p in getattr(tree, "problems", []) if p.rule == UNREADABLE]
    found: dict[str, int] = {}
    for occurrence in tree.occurrences:
        found[occurrence.id] = found.get(occurrence.id, 0) + 1
    plants = {(name, p.line): p for name, doc in planted.items() for p in doc.planted}
    plants_by_id = {p.id: p for doc in planted.values() for p in doc.planted if p.id}
    disagreements = []
    for need_id in sorted((set(tree.needs) | set(built.needs)) - {""}):
        reader = _from_reader(tree.needs[need_id]) if need_id in tree.needs else None
        builder = _from_build(built.needs[need_id]) if need_id in built.needs else None
        if reader is None:
            what = ["the build has it, the reader did not find it"]
        elif builder is None:
            what = ["the reader found it, the build has no such need"]
        else:
            what = [
                f"{name} differs"
                for name in ("type", "file", "line", "title", "fields", "links")
                if getattr(reader, name) != getattr(builder, name)
            ]
        if found.get(need_id, 0) > 1:  # ids are unique in a generated site
            what.append(f"the reader found it {found[need_id]} times")
        places = {(seen.file, seen.line) for seen in (reader, builder) if seen is not None}
        if not what or _excused(places, planted, problems):
            continue
        file, line = min(places)
        plant = next((plants[place] for place in sorted(places) if place in plants), plants_by_id.get(need_id))
        doc = planted.get(file)
        span = doc.span_of(line) if doc else None
        disagreements.append(
            Disagreement(
                need_id,
                file,
                line,
                "; ".join(what),
                str(reader) if reader else "-",
                str(builder) if builder else "-",
                plant.where if plant else (span.kind if span else "?"),
                excerpt(files[file], span.first, span.last, line) if span else "",
                warnings_in(built.stderr, file, *((span.first, span.last) if span else (line, line))),
            )
        )
    return disagreements


def _excused(places: set[tuple[str, int]], planted: dict[str, RenderedDocument], problems: list[Any]) -> bool:
    for file, line in places:
        doc = planted.get(file)
        span = doc.span_of(line) if doc else None
        first, last = (span.first, span.last) if span else (line, line)
        if any(p.file == file and first <= p.line <= last for p in problems):
            return True
    return False


def report(disagreements: list[Disagreement], root: Path, limit: int = 25) -> str:
    kinds = Counter(what for d in disagreements for what in d.what.split("; "))
    tally = "".join(f"\n  {count:3} × {what}" for what, count in kinds.most_common())
    shown = "\n\n".join(str(d) for d in disagreements[:limit])
    more = f"\n\n... and {len(disagreements) - limit} more" if len(disagreements) > limit else ""
    return (
        f"{len(disagreements)} disagreement(s) between the reader and the build (site: {root}):{tally}\n\n{shown}{more}"
    )


# ---------------------------------------------------------------------------------------------------------------
# The random sources
# ---------------------------------------------------------------------------------------------------------------


# The numbers: one example is a whole site of 20-35 documents (about 100 planted needs, half of them needs for the
# build: the rest sit in code, in refused needs or in deliberate mistakes), built once with Sphinx in 1.5-3 s.
# 8 examples: hypothesis' simplest one first (20 plain needs, a sanity check), then 7 random sites; about 12 s on
# two cores, 25 s on a loaded machine; a failing run stops at its first failing site. Shrinking is off: every step
# would be another build, and the report already names each disagreeing construct with its source. The seed is
# fixed and the database off: every run builds exactly the same sites, whatever ran before.
@seed(20250611)
@settings(
    max_examples=8,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    print_blob=False,
)
@given(site=sites(20, 35))
def test_reader_agrees_with_the_build(site: GeneratedSite, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("differential")
    files = {name: doc.data for name, doc in site.files.items()}
    built = build(root, files)
    tree = read(files)
    disagreements = compare(files, site.files, built, tree)
    if disagreements:
        pytest.fail(report(disagreements, built.root), pytrace=False)


# ---------------------------------------------------------------------------------------------------------------
# Fixed constructs: one site, built once per module; one test per construct
# ---------------------------------------------------------------------------------------------------------------

# Each construct: its top-level blocks (joined with blank lines into needs/fixed/<name>.md).
CONSTRUCTS: dict[str, list[str]] = {
    # The constructs the issue names.
    "tilde-fence": ["# Tilde", "~~~{req} Tilde fenced\n:id: DMS-REQ-0101\n:priority: 2\n~~~"],
    "fence-after-bom": ["\ufeff```{req} Right after a byte-order mark\n:id: DMS-REQ-0102\n:priority: 2\n```"],
    "tab-after-id": ["# Tab", "```{test} A tab after the key\n:id:\tLVV-T103\n:method: analysis\n```"],
    "block-quote": ["# Quote", "> ```{test} In a block quote\n> :id: LVV-T104\n> :method: analysis\n> ```"],
    "deep-list-item": [
        "# List",
        "- one\n  - two\n    - three\n\n      1. four\n\n         ```{test} Deep in a list\n         :id: LVV-T105\n"
        "         :method: analysis\n         ```",
    ],
    "need-in-need": [
        "````{req} Outer\n:id: DMS-REQ-0106\n:priority: 2\n\n"
        "```{subreq} Inner\n:id: DMS-REQ-0106-V-01\n:priority: 2\n:refines: DMS-REQ-0106\n```\n````"
    ],
    "unclosed-fence": ["# Unclosed", "```{test} Never closed\n:id: LVV-T107\n:method: analysis\n\nBody to the end."],
    "unknown-option": ["```{req} Unknown option\n:id: DMS-REQ-0108\n:priority: 2\n:refine: DMS-REQ-0101\n```"],
    "near-need-type-plural": ["```{reqs} Plural directive\n:id: DMS-REQ-0109\n:priority: 2\n```"],
    "near-need-type-upper": ["```{REQ} Upper-case directive\n:id: DMS-REQ-0110\n:priority: 2\n```"],
    "same-length-colons": [
        ":::{note}\n:::{test} Inner, same fence length\n:id: LVV-T111\n:::\n:::",
        ":::{test} After the note\n:id: LVV-T112\n:::",
    ],
    "yaml-options": ["```{test} YAML options\n---\nid: LVV-T113\nmethod: analysis\n---\nBody.\n```"],
    "backtick-title": [
        "```{test} Title with `code`\n:id: LVV-T114\n```",
        "```{test} After the non-fence\n:id: LVV-T115\n```",
    ],
    # More, found by the random test above.
    "no-space-before-title": ["```{test}Glued title\n:id: LVV-T116\n```", ":::{test}Glued too\n:id: LVV-T117\n:::"],
    "colon-div": [":::\n```{test} In a plain ::: div\n:id: LVV-T118\n```\n:::"],
    "nested-colon-body-shift": ["::::{note}\n:::{test} First in a colon-fenced body\n:id: LVV-T119\n:::\n::::"],
    "hash-in-value": ["```{test} A # in a value\n:id: LVV-T120\n:spec: LDM-639 # the spec\n```"],
    "quoted-value": ['```{test} A quoted value\n:id: LVV-T121\n:spec: "LDM-639"\n```'],
    "link-target-twice": [
        "```{subreq} A target twice\n:id: DMS-REQ-0122-V-01\n:refines: DMS-REQ-0101, DMS-REQ-0101\n```"
    ],
    "need-in-refused-need": ["````{req} No id: refused\n:priority: 2\n\n```{test} Inside it\n:id: LVV-T123\n```\n````"],
    "line-separator-in-title": [
        "```{test} A line\u2028separator\n:id: LVV-T124\n```",
        "```{test} The line after\n:id: LVV-T125\n```",
    ],
    "eval-rst": ["```{eval-rst}\n.. test:: Written in reStructuredText\n   :id: LVV-T126\n```"],
    "crlf": ["# CRLF\r", "```{test} CRLF line ends\r\n:id: LVV-T127\r\n:method: analysis\r\n```\r"],
    # A str.splitlines line break (not one for markdown-it) in a directive's content: MyST splits the content with
    # str.splitlines, so in the nested parse what follows is one line later, and a title after it is cut off.
    "line-separator-in-note": [
        "~~~{note}\nA line\u2028separator in a note\n\n```{test} One line later for the build\n:id: LVV-T128\n```\n~~~"
    ],
    "line-separator-before-nested-title": [
        "~~~~{note}\n>:::{test}\u2028Title cut off: no id\n>:id: LVV-T129\n>:::\n>\n"
        ">~~~{test}\n>:id: LVV-T130\n>~~~\n~~~~"
    ],
    "line-separators-in-need-body": [
        "````{req} Outer\n:id: DMS-REQ-0131\n\nA form\x0cfeed and a next\x85line\n\n"
        "```{test} Inner, two lines later\n:id: LVV-T131\n```\n````"
    ],
}


def fixed_document(blocks: list[str]) -> RenderedDocument:
    lines: list[str] = []
    spans = []
    for index, block in enumerate(blocks):
        if index:
            lines.append("\r" if block.endswith("\r") else "")
        spans.append(Span(len(lines) + 1, len(lines) + block.count("\n") + 1, "construct"))
        lines += block.split("\n")
    return RenderedDocument("\n".join([*lines, ""]).encode(), [], spans)


@dataclass
class FixedSite:
    root: Path
    disagreements: list[Disagreement]


@pytest.fixture(scope="module")
def fixed_site(tmp_path_factory: pytest.TempPathFactory) -> FixedSite:
    docs = {f"needs/fixed/{name}.md": fixed_document(blocks) for name, blocks in CONSTRUCTS.items()}
    files = {name: doc.data for name, doc in docs.items()}
    built = build(tmp_path_factory.mktemp("constructs"), files)
    return FixedSite(built.root, compare(files, docs, built, read(files)))


@pytest.mark.parametrize(
    "construct",
    [name for name in CONSTRUCTS],
)
def test_construct_read_as_built(fixed_site: FixedSite, construct: str) -> None:
    file = f"needs/fixed/{construct}.md"
    disagreements = [d for d in fixed_site.disagreements if d.file == file]
    for disagreement in disagreements:
        disagreement.construct = construct
    if disagreements:
        pytest.fail(report(disagreements, fixed_site.root), pytrace=False)


# ---------------------------------------------------------------------------------------------------------------
# Duplicate ids: the first definition wins, as in the build, and every definition is an occurrence
# ---------------------------------------------------------------------------------------------------------------

# Names whose order differs between a sort of paths and Sphinx' sort of docnames (a before a-b before a.b before
# a/x as docnames; a-b.md before a.b.md before a.md as path strings, a/x.md first as path parts), first, so that the
# simplest example has them. No two names differ only in case (a case-insensitive file system would merge them).
DUPLICATE_FILES = (
    "needs/a.md",
    "needs/a-b.md",
    "needs/a/x.md",
    "needs/a.b.md",
    "needs/a_b.md",
    "needs/a0.md",
    "needs/ab.md",
    "needs/b/a.md",
)
DUPLICATE_IDS = ("LVV-T1", "LVV-T2", "LVV-T3")


@st.composite
def duplicate_sites(draw: st.DrawFn) -> dict[str, list[tuple[str, str]]]:
    """Per file, its needs as (id, fence character), ids from a small pool so that most are defined twice or more."""
    names = draw(st.lists(st.sampled_from(DUPLICATE_FILES), min_size=4, max_size=len(DUPLICATE_FILES), unique=True))
    needs_of = st.tuples(st.sampled_from(DUPLICATE_IDS), st.sampled_from("`~:"))
    return {name: draw(st.lists(needs_of, min_size=1, max_size=3)) for name in names}


# Three examples, one build each: the simplest (the first four names each define LVV-T1 once), then two random.
@seed(20250612)
@settings(
    max_examples=3,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=False,
)
@given(site=duplicate_sites())
def test_duplicate_ids_first_definition_wins_as_in_the_build(
    site: dict[str, list[tuple[str, str]]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    files: dict[str, bytes] = {}
    defined = []
    for name, needs_in_file in site.items():
        lines = ["# Page", ""]
        for index, (need_id, char) in enumerate(needs_in_file):
            defined.append((need_id, name, len(lines) + 1))
            lines += [f"{char * 3}{{test}} {name} #{index}", f":id: {need_id}", char * 3, ""]
        files[name] = "\n".join(lines).encode()
    root = tmp_path_factory.mktemp("duplicates")
    built = build(root, files)
    tree = read_tree(root, ["needs"])  # as `make check` reads a site: its own order of files
    seen = sorted((o.id, o.file, o.line) for o in tree.occurrences)
    if seen != sorted(defined):
        pytest.fail(f"the reader's occurrences {seen}\nare not the definitions {sorted(defined)}", pytrace=False)
    read_winners = {need_id: _from_reader(need) for need_id, need in tree.needs.items()}
    wrong = [
        f"{need_id} (defined in {', '.join(f'{f}:{n}' for i, f, n in defined if i == need_id)}):\n"
        f"    reader: {read_winners.get(need_id)}\n    build:  {_from_build(need)}"
        for need_id, need in sorted(built.needs.items())
        if read_winners.get(need_id) != _from_build(need)
    ]
    if wrong:
        pytest.fail(f"the first definition differs (site: {built.root}):\n" + "\n".join(wrong), pytrace=False)
