"""The trace_* settings of a site's conf.py, read as literals (never executed): one reader for every tool."""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dmtrace.core.model import IdPatterns, id_patterns
from dmtrace.core.sources import SourceRules

DEFAULT_SOURCE_DIRS = ("needs", "docs")
DEFAULT_SIGNOFF_DIR = "results/signoff"  # one YYYY-MM-DD.csv per export of the tracker's VE statuses
DEFAULT_SIGNOFF_SCOPE = r"^DMS-REQ-"  # the needs that have a sign-off (the DM catalogue)
DEFAULT_VCD = "results/vcd/LDM-692_2025-12-18.csv"  # the VCD export the VCD layout reproduces ("" for none)
RESULTS_VARIABLE, STRICT_VARIABLE = "TRACE_RESULTS", "TRACE_STRICT"
SETTING_NAMES = (
    "trace_results",
    "trace_results_if_present",
    "trace_strict",
    "trace_source_dirs",
    "trace_id_patterns",
    "trace_signoff_dir",
    "trace_signoff_scope",
    "trace_vcd",
    "trace_suspect_since",
    # What Sphinx reads as documents: the source predicate (dmtrace.core.sources) follows it.
    "exclude_patterns",
    "include_patterns",
    "templates_path",
    "html_static_path",
    "html_extra_path",
)


class SettingsError(Exception):
    """conf.py cannot be read: one message naming the file and line."""


@dataclass(frozen=True)
class ProjectSettings:
    root: Path
    results: tuple[str, ...] = ()
    results_if_present: tuple[str, ...] = ()
    strict: bool = False
    source_dirs: tuple[str, ...] = DEFAULT_SOURCE_DIRS
    id_patterns: IdPatterns = field(default_factory=id_patterns)
    sources: SourceRules = field(default_factory=SourceRules)
    signoff_dir: str = DEFAULT_SIGNOFF_DIR
    signoff_scope: str = DEFAULT_SIGNOFF_SCOPE
    vcd: str = DEFAULT_VCD
    suspect_since: str = ""  # the revision changes are counted from (suspect verification); "" for none

    def result_names(self) -> list[str]:
        return result_names(self.root, self.results, self.results_if_present)


def result_names(root: Path, results: Sequence[str], results_if_present: Sequence[str]) -> list[str]:
    """The results files to read: all of `results`, and those of `results_if_present` that exist under `root`."""
    return [*results, *(name for name in results_if_present if (root / name).is_file())]


def _strings(value: object, name: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{where}: {name} must be a list of strings")
    return tuple(value)


def _string(value: object, name: str, where: str) -> str:
    if not isinstance(value, str):
        raise SettingsError(f"{where}: {name} must be a string")
    return value


def parse_settings(source: str | bytes, root: Path, origin: str = "conf.py") -> ProjectSettings:
    """The trace_* settings assigned (plainly or with an annotation) at the top level of conf.py's text."""
    try:
        module = ast.parse(source, filename=origin)
    except SyntaxError as err:
        raise SettingsError(f"{origin}:{err.lineno}: cannot parse: {err.msg}") from err
    values: dict[str, object] = {}
    for node in module.body:
        target: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target = node.target
        if not isinstance(target, ast.Name) or target.id not in SETTING_NAMES:
            continue
        assert isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None
        try:
            values[target.id] = ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as err:
            raise SettingsError(f"{origin}:{node.lineno}: {target.id} must be a literal value") from err
    where = origin
    patterns = values.get("trace_id_patterns")
    if patterns is not None and not isinstance(patterns, dict):
        raise SettingsError(f"{where}: trace_id_patterns must be a dict of need type -> list of patterns")
    source_dirs = _strings(values.get("trace_source_dirs", DEFAULT_SOURCE_DIRS), "trace_source_dirs", where)
    return ProjectSettings(
        root=root,
        results=_strings(values.get("trace_results", ()), "trace_results", where),
        results_if_present=_strings(values.get("trace_results_if_present", ()), "trace_results_if_present", where),
        strict=bool(values.get("trace_strict", False)),
        source_dirs=source_dirs,
        id_patterns=id_patterns(patterns),
        sources=SourceRules(
            source_dirs=source_dirs,
            exclude_patterns=tuple(
                pattern
                for name in ("exclude_patterns", "templates_path", "html_static_path", "html_extra_path")
                for pattern in _strings(values.get(name, ()), name, where)
            ),
            include_patterns=_strings(values.get("include_patterns", ("**",)), "include_patterns", where),
        ),
        signoff_dir=_string(values.get("trace_signoff_dir", DEFAULT_SIGNOFF_DIR), "trace_signoff_dir", where),
        signoff_scope=_string(values.get("trace_signoff_scope", DEFAULT_SIGNOFF_SCOPE), "trace_signoff_scope", where),
        vcd=_string(values.get("trace_vcd", DEFAULT_VCD), "trace_vcd", where),
        suspect_since=_string(values.get("trace_suspect_since", ""), "trace_suspect_since", where),
    )


def results_from_environment(environ: Mapping[str, str] = os.environ) -> list[str] | None:
    """`make ... RESULTS=...`: the results files named in TRACE_RESULTS, separated by white space; None when unset.

    The one rule for check and build alike: a file name holding white space belongs in conf.py's trace_results.
    """
    names = environ.get(RESULTS_VARIABLE, "").split()
    return names or None


def strict_from_environment(environ: Mapping[str, str] = os.environ) -> bool:
    """`make ... STRICT=1`: TRACE_STRICT set to anything but empty, 0, no or false."""
    return environ.get(STRICT_VARIABLE, "").strip().lower() not in ("", "0", "no", "false")


def load_settings(root: Path) -> ProjectSettings:
    """The settings of the site at `root` (defaults when it has no conf.py)."""
    conf = root / "conf.py"
    if not conf.is_file():
        return ProjectSettings(root=root)
    return parse_settings(conf.read_bytes(), root, str(conf))
