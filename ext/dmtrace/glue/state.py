"""This build's state (the evaluation, the git history, caches), one typed object per Sphinx application."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dmtrace.core.evaluation import Evaluation
from dmtrace.core.history import History
from dmtrace.core.sources import SourceRules
from dmtrace.core.vcd import VcdExport
from dmtrace.glue.milestone_plan import Plan

if TYPE_CHECKING:
    from sphinx.application import Sphinx


@dataclass
class BuildState:
    """What one build computes and its handlers share; never pickled (the environment's data is in the domain)."""

    evaluation: Evaluation | None = None
    history: History | None = None
    # Need id -> docname, with the evaluation it was built for (every view and milestone page needs it).
    need_docs: tuple[Evaluation, dict[str, str]] | None = None
    # Docname -> source path relative to the source folder (asked once per need).
    relative_files: dict[str, str] = field(default_factory=dict)
    # Milestone id -> name of its page, in page order (HTML builders only), and the plan that named them.
    milestone_pages: dict[str, str] = field(default_factory=dict)
    milestone_plan: Plan | None = None
    # conf.py's trace_view_scope as configured, and as used ("" when it is not a regular expression).
    view_scope: tuple[str, str] | None = None
    # Which files are need sources, from this build's configuration (dmtrace.core.sources).
    source_rules: SourceRules | None = None
    # conf.py's trace_vcd as configured, and the export read from it once per build (None: no export).
    vcd: tuple[str, VcdExport | None] | None = None


_STATES: weakref.WeakKeyDictionary[Sphinx, BuildState] = weakref.WeakKeyDictionary()


def build_state(app: Sphinx) -> BuildState:
    """The state of the build `app` runs (created on first use)."""
    state = _STATES.get(app)
    if state is None:
        state = _STATES[app] = BuildState()
    return state


def reset_build_state(app: Sphinx) -> None:
    """`builder-inited`: a new build starts from an empty state."""
    _STATES[app] = BuildState()
