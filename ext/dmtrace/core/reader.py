"""The source reader: need directives from MyST Markdown without Sphinx, block by block as MyST parses them.

The block structure comes from markdown-it-py with the plugins MyST enables (colon fences, front matter, MyST
blocks, footnotes, definition lists), so fences of every kind, block quotes, list items and nesting are read as
the build reads them. What the reader cannot read as the build would is reported (`trace.unreadable`, located),
never skipped: `make check`, `make diff`, the pytest plugin and the build all use this module.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from dmtrace.core.blocks import DIRECTIVE_INFO, block_parser
from dmtrace.core.model import FIELDS, LINK_TYPES, NEED_TYPES, IdOccurrence, Need, Violation, pattern_error
from dmtrace.core.needtext import parameters, text_parts
from dmtrace.core.sources import SOURCE_SUFFIX, SourceRules, walk_documents

OPTION = re.compile(r"^:(?P<key>[A-Za-z_][\w-]*):(?:[ \t]+(?P<value>.*))?$")
LINK_SPLIT = re.compile(r"[;|,]")
# A line that looks like a need's opening fence; when markdown-it did not read a fence there, say why.
NEED_FENCE_LOOKALIKE = re.compile(
    r"^[ \t]*(?:>[ \t]*)*(?:[-*+][ \t]+|\d+[.)][ \t]+)?(`{3,}|~{3,}|:{3,})[ \t]*\{(?P<name>[^}]*)\}"
)
# Directives whose body is not Markdown: a need-like fence inside them is an example, not a need.
OPAQUE_DIRECTIVES = frozenset(
    {"code", "code-block", "sourcecode", "literalinclude", "raw", "math", "csv-table", "mermaid", "graphviz"}
)
# Options sphinx-needs' need directive takes besides the project's fields and links (sphinx_needs.directives.need).
NEED_CORE_OPTIONS = frozenset(
    {
        "id",
        "status",
        "tags",
        "collapse",
        "hide",
        "style",
        "layout",
        "template",
        "pre_template",
        "post_template",
        "constraints",
        "jinja_content",
        "delete",
        "title_from_content",
    }
)
KNOWN_OPTIONS = NEED_CORE_OPTIONS | set(FIELDS) | set(LINK_TYPES)
# Directives nested deeper than this are refused: docutils would recurse once per level and crash.
MAX_NESTING = 20
UNREADABLE = "trace.unreadable"
COMMENT = re.compile(r"(?:^|\s)#")
_REFUSED: dict[str, str] = {}  # the options of a need whose option block MyST refuses


@dataclass(frozen=True)
class SourceTree:
    """The needs of a set of Markdown files, every place an id was defined, and what could not be read."""

    needs: dict[str, Need]
    occurrences: list[IdOccurrence]
    problems: list[Violation] = field(default_factory=list)


@dataclass
class ParsedSource:
    """One document's needs, in source order, and its located problems."""

    needs: list[Need] = field(default_factory=list)
    problems: list[Violation] = field(default_factory=list)


def split_links(value: str) -> list[str]:
    """The targets of a link option, each once (sphinx-needs keeps a target once), in the order written."""
    return list(dict.fromkeys(part.strip() for part in LINK_SPLIT.split(value) if part.strip()))


class _Reader:
    """Walks one document and the bodies of its directives (iteratively: nesting depth never recurses)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.parsed = ParsedSource()

    def problem(self, line: int, subject: str, message: str) -> None:
        self.parsed.problems.append(Violation(self.file, line, subject, message, UNREADABLE))

    def read(self, text: str) -> ParsedSource:
        # (Markdown text, line of its first line in the file minus one, nesting depth)
        pending: list[tuple[str, int, int]] = [(text, 0, 0)]
        found: list[tuple[int, Need]] = []
        while pending:
            body, offset, depth = pending.pop()
            for token in block_parser().parse(body):
                if token.type in ("fence", "colon_fence") and token.map is not None:
                    self._directive(token, offset, depth, pending, found)
                elif token.type == "inline" and token.map is not None:
                    self._lookalikes(token, offset)
        self.parsed.needs = [need for _, need in sorted(found, key=lambda item: item[0])]
        return self.parsed

    def _directive(
        self, token: Token, offset: int, depth: int, pending: list[tuple[str, int, int]], found: list[tuple[int, Need]]
    ) -> None:
        assert token.map is not None
        line = offset + token.map[0] + 1
        directive = DIRECTIVE_INFO.match(token.info.strip())
        if directive is None:
            if token.type == "colon_fence" and depth < MAX_NESTING:  # a div: MyST reads its body as Markdown
                pending.append((token.content, line, depth + 1))
            return
        written, argument = directive["name"], (directive["argument"] or "").strip()
        name = written.lower()  # docutils finds directives whatever their case
        if name in NEED_TYPES and written != name:
            # sphinx-needs then refuses the need type ("Unknown need type"), and so the need and what it holds
            self.problem(line, "", f"{{{written}}}: need directives are written in lower case, {{{name}}}")
            return
        if name in NEED_TYPES or name in OPAQUE_DIRECTIVES or name == "eval-rst":
            pass
        elif close := difflib.get_close_matches(name, list(NEED_TYPES), n=1, cutoff=0.75):
            self.problem(line, "", f"unknown directive {{{written}}}: did you mean {{{close[0]}}}?")
            return
        if name == "eval-rst":
            self._rst_needs(token.content, line)
            return
        if name in OPAQUE_DIRECTIVES:
            return
        if name == "include":
            self.problem(
                line,
                "",
                "{include}: the included text is not read as a source of needs; write needs in their own source files",
            )
            return
        if depth >= MAX_NESTING:
            self.problem(line, "", f"directives nested more than {MAX_NESTING} deep are not read")
            return
        options, body, body_line = self._options(token.content, line, name in NEED_TYPES)
        if name.startswith("trace-") and "scope" in options and (error := pattern_error(options["scope"])):
            self.parsed.problems.append(
                Violation(
                    self.file,
                    line,
                    "",
                    f"{name} :scope: {options['scope']!r} is not a valid regular expression ({error})",
                    "trace.config",
                )
            )
        if name in NEED_TYPES:
            if options is _REFUSED:
                return  # reported; the build has no such need, nor anything nested in it
            if not token.content.startswith("---"):  # a YAML block's need is reported, not guessed at
                need = self._need(name, argument, options, body, line)
                found.append((line, need))
                if not need.id:
                    return  # the rules report it; sphinx-needs refuses it and what it holds
        if token.type == "colon_fence" and token.content.startswith(":::"):
            body_line += 1  # MyST puts a blank line before a colon directive's body that opens with a colon fence
        if body.strip():
            pending.append((body, body_line - 1, depth + 1))

    def _options(self, content: str, line: int, is_need: bool) -> tuple[dict[str, str], str, int]:
        """The directive's options block and body, as `myst_parser.parsers.directives` splits them.

        MyST splits a directive's content with `str.splitlines`, which also breaks at U+2028, U+2029, U+0085, form
        feed, vertical tab and U+001C-U+001E, where markdown-it sees no line end. Each such character in a directive's
        content is one more line in its nested parse: what follows it is one line later in the build's numbering
        (the line the build reports for a need nested after it), and the text after it starts a new line (a title
        cut off from its `{type}`, an option line ending the option block). Split the same way, so the reader reads
        the body and numbers its lines as the build does."""
        lines = content.splitlines()
        options: dict[str, str] = {}
        used = 0
        refused = False
        if content.startswith("---"):
            if is_need:
                self.problem(
                    line,
                    "",
                    "a YAML option block (---) is not read by make check and make diff; "
                    "write the options as :key: value lines",
                )
            closing = next((i for i, text in enumerate(lines[1:], 1) if text.startswith("---")), len(lines))
            used = min(closing + 1, len(lines))
        elif content.lstrip().startswith(":"):
            while (
                used < len(lines)
                and lines[used].lstrip().startswith(":")
                and not lines[used].lstrip().startswith(":::")
            ):
                text = lines[used].strip()
                match = OPTION.match(text)
                if match is None or "\t" in text[: match.start("value") if match["value"] is not None else None]:
                    if is_need:
                        self.problem(
                            line + 1 + used,
                            "",
                            f"option line {text!r} is not of the form ':key: value' (one space, no tab, after the "
                            "key): MyST refuses the options, and so the need",
                        )
                        refused = True
                else:
                    options[match["key"]] = self._value(match["value"] or "", line + 1 + used, is_need)
                used += 1
        body_lines = lines[used:]
        body_line = line + 1 + used
        if body_lines and not body_lines[0].strip():
            body_lines, body_line = body_lines[1:], body_line + 1
        return (_REFUSED if refused else options), "\n".join(body_lines), body_line

    def _value(self, value: str, line: int, is_need: bool) -> str:
        value = value.strip()
        if not value.startswith(("'", '"')):
            value = COMMENT.split(value, maxsplit=1)[0].rstrip()  # MyST drops a `# comment`, as YAML does
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            if is_need:
                self.problem(line, "", f"quoted option value {value}: write the value without quotes")
            return value[1:-1]
        return value

    def _need(self, name: str, title: str, options: dict[str, str], content: str, line: int) -> Need:
        need_id = options.pop("id", "")
        for key in options:
            if key not in KNOWN_OPTIONS:
                self.problem(line, need_id, f"unknown option :{key}: of a {name} (the build refuses it too)")
        links = {key: split_links(options.pop(key)) for key in list(options) if key in LINK_TYPES}
        fields = {key: value for key, value in options.items() if value != "" and key in KNOWN_OPTIONS}
        text = text_parts(content)
        return Need(
            id=need_id,
            type=name,
            title=title,
            file=self.file,
            line=line,
            fields=fields,
            links={key: targets for key, targets in links.items() if targets},
            content=content.strip(),
            specification=text.get("specification", ""),
            discussion=text.get("discussion", ""),
            parameters=parameters(content),
        )

    def _lookalikes(self, token: Token, offset: int) -> None:
        """A paragraph line that looks like a need's opening fence but is not one (a backtick in a backtick fence's
        title, a fence indented into a code block): the build shows it as text, so say so."""
        assert token.map is not None
        for index, text in enumerate(token.content.split("\n")):
            match = NEED_FENCE_LOOKALIKE.match(text)
            if match and match["name"].strip().lower() in NEED_TYPES:
                why = (
                    "a backtick fence's title may not hold a backtick (CommonMark); use ::: or ~~~ fences"
                    if match[1].startswith("`") and "`" in text[match.end() :]
                    else "this line is not read as a fence"
                )
                self.problem(
                    offset + token.map[0] + index + 1, "", f"{{{match['name']}}} is not a directive here: {why}"
                )

    def _rst_needs(self, content: str, line: int) -> None:
        for index, text in enumerate(content.split("\n")):
            match = re.match(r"^\s*\.\.\s+(?P<name>[\w-]+)::", text)
            if match and match["name"].lower() in NEED_TYPES:
                self.problem(
                    line + 1 + index,
                    "",
                    "needs written in reStructuredText ({eval-rst}) are not read by "
                    "make check and make diff; write them as MyST directives",
                )


def parse_source(text: str, file: str) -> ParsedSource:
    """The needs of one MyST document (1-based directive lines) and what could not be read."""
    return _Reader(file).read(text.removeprefix("\ufeff"))


def parse_markdown(text: str, file: str) -> Iterator[Need]:
    """Yields the needs defined in one MyST document, with 1-based directive line numbers."""
    yield from parse_source(text, file).needs


def decode_source(data: bytes, file: str) -> tuple[str, list[Violation]]:
    """A source's text (UTF-8, a byte-order mark dropped as Sphinx drops it), or a located problem."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        message = f"bytes that are not UTF-8 ({data[err.start : err.end]!r}); the file is not read"
        return "", [Violation(file, line, "", message, UNREADABLE)]


def read_texts(texts: Iterable[tuple[str, str]], problems: Iterable[Violation] = ()) -> SourceTree:
    """Builds the tree from (repo-relative file, text) pairs; the first definition of an id wins, as in Sphinx."""
    needs: dict[str, Need] = {}
    occurrences: list[IdOccurrence] = []
    found_problems = list(problems)
    for file, text in texts:
        parsed = parse_source(text, file)
        found_problems.extend(parsed.problems)
        for need in parsed.needs:
            occurrences.append(IdOccurrence(need.id, need.type, need.file, need.line))
            needs.setdefault(need.id, need)
    return SourceTree(needs, occurrences, found_problems)


OUTSIDE_SOURCE_DIRS = (
    "needs in a file outside trace_source_dirs are not read by make check and make diff: move the file into one "
    "of those folders, or add its folder to trace_source_dirs"
)


def outside_problems(sources: Iterable[tuple[str, str]]) -> list[Violation]:
    """One problem per document outside the source folders that defines needs, at its first need."""
    problems = []
    for file, text in sources:
        needs = parse_source(text, file).needs
        if needs:
            problems.append(Violation(file, needs[0].line, needs[0].id, OUTSIDE_SOURCE_DIRS, UNREADABLE))
    return problems


def read_sources(sources: Iterable[tuple[str, bytes]], outside: Iterable[tuple[str, bytes]] = ()) -> SourceTree:
    """`read_texts` from raw bytes: undecodable files become located problems; needs in `outside` documents too."""
    texts: list[tuple[str, str]] = []
    problems: list[Violation] = outside_problems(
        (file, data.decode("utf-8-sig", errors="replace")) for file, data in outside
    )
    for file, data in sources:
        text, found = decode_source(data, file)
        problems.extend(found)
        if not found:
            texts.append((file, text))
    return read_texts(texts, problems)


def read_tree(root: Path, rules: SourceRules | Iterable[str] | None = None) -> SourceTree:
    """Reads every need source of the site at `root` (the one predicate: `dmtrace.core.sources`)."""
    if not isinstance(rules, SourceRules):
        rules = SourceRules() if rules is None else SourceRules(source_dirs=tuple(rules))
    documents = walk_documents(root, rules)
    return read_sources(
        ((path, (root / path).read_bytes()) for path in rules.select(documents)),
        ((path, (root / path).read_bytes()) for path in rules.select(documents, outside=True)),
    )


__all__ = ["SOURCE_SUFFIX", "ParsedSource", "SourceTree", "parse_markdown", "parse_source", "read_texts", "read_tree"]
