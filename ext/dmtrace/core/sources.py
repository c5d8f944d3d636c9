"""Which files are need sources: the one predicate `make check`, `make diff`, the plugin and the build share.

A file is a source when Sphinx would read it as a document (a `.md` file not matched by `exclude_patterns`,
`templates_path`, the static and extra paths or Sphinx's own exclusions, and matched by `include_patterns`, with
Sphinx's glob rules: `*` stops at `/`, `**` does not) and it lies under one of `trace_source_dirs`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

SOURCE_SUFFIX = ".md"
# sphinx.project.EXCLUDE_PATHS: what Sphinx never reads, whatever the configuration says.
SPHINX_EXCLUDES = ("**/_sources", ".#*", "**/.#*", "*.lproj/**")


def _translate(pattern: str) -> str:
    """A glob pattern as a regular expression, as `sphinx.util.matching._translate_pattern` reads it."""
    index, length, out = 0, len(pattern), ""
    while index < length:
        char = pattern[index]
        index += 1
        if char == "*":
            if index < length and pattern[index] == "*":
                index += 1
                out += ".*"
            else:
                out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[":
            end = index
            if end < length and pattern[end] == "!":
                end += 1
            if end < length and pattern[end] == "]":
                end += 1
            while end < length and pattern[end] != "]":
                end += 1
            if end >= length:
                out += "\\["
            else:
                stuff = pattern[index:end].replace("\\", "\\\\")
                index = end + 1
                if stuff[0] == "!":
                    stuff = "^/" + stuff[1:]
                elif stuff[0] == "^":
                    stuff = "\\" + stuff
                out += f"[{stuff}]"
        else:
            out += re.escape(char)
    return out + "$"


def matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """True for a path matching one of the patterns (`**/x` also matches `x`, as in `sphinx.util.matching`)."""
    listed = list(patterns)
    expanded = [*listed, *(p[3:] for p in listed if p.startswith("**/"))]
    compiled = [re.compile(_translate(p)).match for p in expanded]
    return lambda path: any(match(path) for match in compiled)


@dataclass(frozen=True)
class SourceRules:
    """What makes a file a need source (read from conf.py by `dmtrace.core.settings`)."""

    source_dirs: tuple[str, ...] = ("needs", "docs")
    exclude_patterns: tuple[str, ...] = ()
    include_patterns: tuple[str, ...] = ("**",)

    @cached_property
    def _excluded(self) -> Callable[[str], bool]:
        return matcher([*self.exclude_patterns, *SPHINX_EXCLUDES])

    @cached_property
    def _included(self) -> Callable[[str], bool]:
        return matcher(self.include_patterns)

    def excluded(self) -> Callable[[str], bool]:
        return self._excluded

    def is_source(self, path: str) -> bool:
        """`path`, relative to the site root with `/` separators, is a need source."""
        return bool(self.select([path]))

    def in_source_dirs(self, path: str) -> bool:
        return any(path.startswith(folder.strip("/") + "/") for folder in self.source_dirs)

    def select(self, paths: Sequence[str], outside: bool = False) -> list[str]:
        """The sources among `paths` (e.g. a revision's file list), in order; with `outside`, the documents Sphinx
        reads that lie outside the source folders instead (needs there are reported, not read)."""
        excluded, include = self._excluded, self._included
        chosen = []
        for path in paths:
            if not path.endswith(SOURCE_SUFFIX) or self.in_source_dirs(path) != (not outside) or excluded(path):
                continue
            parents = path.split("/")[:-1]
            if any(excluded("/".join(parents[: depth + 1])) for depth in range(len(parents))):
                continue
            if include(path):
                chosen.append(path)
        return chosen


def docname_order(path: str) -> str:
    """Sphinx reads documents in docname order (`a` < `a-b` < `a.b` < `a/x`): the first definition of an id wins."""
    return path.removesuffix(SOURCE_SUFFIX)


def walk_documents(root: Path, rules: SourceRules) -> list[str]:
    """Every `.md` file under `root` in a folder Sphinx walks (excluded folders are pruned, as Sphinx prunes them)."""
    excluded = rules.excluded()
    found: list[str] = []
    for current, dirs, files in os.walk(root):
        relative = Path(current).relative_to(root).as_posix()
        prefix = "" if relative == "." else f"{relative}/"
        dirs[:] = sorted(d for d in dirs if not excluded(f"{prefix}{d}"))
        found.extend(f"{prefix}{name}" for name in files if name.endswith(SOURCE_SUFFIX))
    return sorted(found, key=docname_order)
