"""Fast source reader: finds need directives in MyST files without Sphinx, for `make check` and the diff tool."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dmtrace.core.model import LINK_TYPES, NEED_TYPES, IdOccurrence, Need

# A fence line: indent, the fence itself, then what follows (a `{directive}` and its argument, or a language).
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[A-Za-z][\w:-]*)\}\s*(?P<argument>.*)$")
OPTION = re.compile(r"^:(?P<key>[A-Za-z_][\w-]*):(?:\s+(?P<value>.*))?$")
LINK_SPLIT = re.compile(r"[;|,]")
# Directives whose body is not Markdown: a need-like fence inside them is an example, not a need.
OPAQUE_DIRECTIVES = frozenset({"code", "code-block", "sourcecode", "eval-rst", "literalinclude", "raw", "math"})
SOURCE_SUFFIX = ".md"


@dataclass(frozen=True)
class SourceTree:
    """The needs of a set of Markdown files, with every place an id was defined."""

    needs: dict[str, Need]
    occurrences: list[IdOccurrence]


def split_links(value: str) -> list[str]:
    return [part.strip() for part in LINK_SPLIT.split(value) if part.strip()]


def _parse_options(lines: list[str], start: int) -> tuple[dict[str, str], int]:
    """Reads `:key: value` lines from `start`; returns the options and the index of the first other line."""
    options: dict[str, str] = {}
    index, stop = start, len(lines)
    while index < stop:
        line = lines[index].strip()
        match = OPTION.match(line) if line else None
        if not match:
            break
        options[match["key"]] = (match["value"] or "").strip()
        index += 1
    return options, index


def _closing_index(lines: list[str], start: int, fence: str) -> int:
    """Index of the line that closes `fence` (same character, at least as long), or len(lines)."""
    char = fence[0]
    for index in range(start, len(lines)):
        stripped = lines[index].strip()
        # Starts with the whole fence (so is at least as long) and holds nothing but its character.
        if stripped.startswith(fence) and not stripped.strip(char):
            return index
    return len(lines)


def parse_markdown(text: str, file: str) -> Iterator[Need]:
    """Yields the needs defined in one MyST document, with 1-based directive line numbers."""
    lines = text.splitlines()
    yield from _scan(lines, 0, len(lines), file)


def _scan(lines: list[str], start: int, stop: int, file: str) -> Iterator[Need]:
    index = start
    while index < stop:
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence = match["fence"]
        close = min(_closing_index(lines, index + 1, fence), stop)
        directive = DIRECTIVE_INFO.match(match["info"].strip())
        if directive and directive["name"] in NEED_TYPES:
            options, body_start = _parse_options(lines, index + 1)
            yield _make_need(
                directive["name"],
                directive["argument"].strip(),
                options,
                "\n".join(lines[body_start:close]).strip(),
                file,
                index + 1,
            )
        elif directive and directive["name"] not in OPAQUE_DIRECTIVES:
            yield from _scan(lines, index + 1, close, file)
        index = close + 1


def _make_need(directive: str, title: str, options: dict[str, str], content: str, file: str, line: int) -> Need:
    need_id = options.pop("id", "")
    links = {name: split_links(options.pop(name)) for name in list(options) if name in LINK_TYPES}
    fields = {key: value for key, value in options.items() if value != ""}
    return Need(
        id=need_id,
        type=directive,
        title=title,
        file=file,
        line=line,
        fields=fields,
        links={k: v for k, v in links.items() if v},
        content=content,
    )


def iter_source_files(root: Path, source_dirs: Iterable[str]) -> Iterator[Path]:
    for name in source_dirs:
        folder = root / name
        if folder.is_dir():
            yield from sorted(p for p in folder.rglob(f"*{SOURCE_SUFFIX}") if not _is_hidden(p, folder))


def _is_hidden(path: Path, folder: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(folder).parts[:-1])


def read_texts(texts: Iterable[tuple[str, str]]) -> SourceTree:
    """Builds the tree from (repo-relative file, text) pairs; the first definition of an id wins, as in Sphinx."""
    needs: dict[str, Need] = {}
    occurrences: list[IdOccurrence] = []
    for file, text in texts:
        for need in parse_markdown(text, file):
            occurrences.append(IdOccurrence(need.id, need.type, need.file, need.line))
            needs.setdefault(need.id, need)
    return SourceTree(needs, occurrences)


def read_tree(root: Path, source_dirs: Iterable[str] = ("needs", "docs")) -> SourceTree:
    """Reads every Markdown source under `source_dirs` of `root`."""
    files = iter_source_files(root, source_dirs)
    return read_texts((path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")) for path in files)
