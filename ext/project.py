"""Reads the trace_* settings from a site's conf.py, so command-line tools use what the Sphinx build uses."""

from __future__ import annotations

import runpy
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .model import IdPatterns, id_patterns

DEFAULT_SOURCE_DIRS = ("needs", "docs")


@dataclass(frozen=True)
class ProjectSettings:
    root: Path
    results: tuple[str, ...]
    results_if_present: tuple[str, ...]
    strict: bool
    source_dirs: tuple[str, ...]
    id_patterns: IdPatterns = field(default_factory=id_patterns)

    def result_names(self) -> list[str]:
        return result_names(self.root, self.results, self.results_if_present)


def result_names(root: Path, results: Sequence[str], results_if_present: Sequence[str]) -> list[str]:
    """The results files to read: all of `results`, and those of `results_if_present` that exist under `root`."""
    return [*results, *(name for name in results_if_present if (root / name).is_file())]


def load_settings(root: Path) -> ProjectSettings:
    conf = root / "conf.py"
    values = runpy.run_path(str(conf)) if conf.is_file() else {}
    return ProjectSettings(
        root=root,
        results=tuple(values.get("trace_results", ())),
        results_if_present=tuple(values.get("trace_results_if_present", ())),
        strict=bool(values.get("trace_strict", False)),
        source_dirs=tuple(values.get("trace_source_dirs", DEFAULT_SOURCE_DIRS)),
        id_patterns=id_patterns(values.get("trace_id_patterns")),
    )
