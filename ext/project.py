"""Reads the trace_* settings from a site's conf.py, so command-line tools use what the Sphinx build uses."""

from __future__ import annotations

import runpy
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
        present = [name for name in self.results_if_present if (self.root / name).is_file()]
        return [*self.results, *present]


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
