"""One evaluation of the rules and statuses over a set of needs: shared by the Sphinx build and `make check`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from dmtrace.core.graph import NeedGraph
from dmtrace.core.milestones import latest_snapshot
from dmtrace.core.model import (
    REQUIREMENT_TYPES,
    IdOccurrence,
    IdPatterns,
    Need,
    Violation,
    id_patterns,
    pattern_error,
)
from dmtrace.core.normative_history import NormativeHistory
from dmtrace.core.outcomes import TestResult
from dmtrace.core.reader import SourceTree
from dmtrace.core.results import ResultSet, load_results
from dmtrace.core.rules import CheckInput, run_rules
from dmtrace.core.settings import ProjectSettings
from dmtrace.core.signoff import SignOffRecords
from dmtrace.core.status import NeedStatus
from dmtrace.core.suspect import Suspicion, review_violations, suspect_violations, suspects
from dmtrace.core.truth import DEFAULT_SCOPE, VerificationTruth, reconcile, signoff_violations

CONF_FILE = "conf.py"  # where trace_id_patterns is set, relative to the site root like every violation's file
ANY_ID = r"(?s:.*)"  # stands in for a need type's patterns when none of them compiles


class ScopeError(ValueError):
    """A view's scope is not a regular expression."""


def scope_error(ids: str) -> str | None:
    """Why a view's scope (`:scope:`, `trace_view_scope`) is not a usable regular expression, or None."""
    return pattern_error(ids)


def usable_patterns(patterns: IdPatterns) -> tuple[dict[str, tuple[str, ...]], list[Violation]]:
    """The id patterns the rules can compile, and one `trace.config` violation (at conf.py) per one they cannot.

    A need type left without a usable pattern accepts every id: its ids go unchecked until conf.py is fixed,
    rather than each reported against a pattern that does not exist."""
    usable: dict[str, tuple[str, ...]] = {}
    problems: list[Violation] = []
    for need_type, regexes in patterns.items():
        good: list[str] = []
        for regex in regexes:
            problem = pattern_error(regex)
            if problem is None:
                good.append(regex)
                continue
            problems.append(
                Violation(
                    CONF_FILE,
                    1,
                    "trace_id_patterns",
                    f"the {need_type} id pattern {regex!r} is not a valid regular expression ({problem})",
                    "trace.config",
                )
            )
        usable[need_type] = tuple(good) if good or not regexes else (ANY_ID,)
    return usable, problems


@dataclass(frozen=True)
class Evaluation:
    """The outcome of one check: violations, computed statuses and the latest result of each test case."""

    graph: NeedGraph
    violations: list[Violation]
    statuses: dict[str, NeedStatus]
    latest: dict[str, TestResult]
    missing_pytest_nodes: dict[str, list[str]] = field(default_factory=dict)
    # Evidence and sign-off side by side (core/truth.py); statuses above are the tool's own trace measure.
    truth: VerificationTruth = field(default_factory=VerificationTruth, compare=False, repr=False)
    # Items whose verification a later normative change outdates (core/suspect.py), and the history read for it.
    suspects: dict[str, Suspicion] = field(default_factory=dict, compare=False, repr=False)
    normative: NormativeHistory = field(default_factory=NormativeHistory, compare=False, repr=False)
    # Every page of a view asks for the same scope (one per milestone page): computed once per evaluation.
    scopes: dict[str, Evaluation] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def planning_snapshot(self) -> str:
        """The newest planning snapshot (YYYY-MM) any milestone's forecast history has ('' when none): what the
        milestone pages' "as of" names and what "last seen in" is measured against."""
        return latest_snapshot(n for n in self.graph.needs.values() if n.type == "milestone")

    def scoped(self, ids: str) -> Evaluation:
        """The part a view shows: requirements and tests whose id matches the regex, the tests that verify a kept
        requirement, every milestone and every upstream requirement. Statuses stay those computed over the whole
        site.

        Raises ScopeError when `ids` is not a regular expression (ask `scope_error` first to report it)."""
        if not ids:
            return self
        if ids not in self.scopes and (problem := scope_error(ids)):
            raise ScopeError(f"scope {ids!r} is not a valid regular expression ({problem})")
        if ids not in self.scopes:
            self.scopes[ids] = self._scope(ids)
        return self.scopes[ids]

    def _scope(self, ids: str) -> Evaluation:
        pattern = re.compile(ids)
        needs = self.graph.needs
        kept = {i for i, n in needs.items() if n.type in (*REQUIREMENT_TYPES, "test") and pattern.search(i)}
        for need_id, need in needs.items():
            if need.type in ("milestone", "plan", "upstream") or (
                need.type == "test" and any(t in kept for t in need.targets("verifies"))
            ):
                kept.add(need_id)
        return replace(
            self,
            graph=NeedGraph.build({i: needs[i] for i in needs if i in kept}),
            statuses={i: s for i, s in self.statuses.items() if i in kept},
            scopes={},
        )


def evaluate(
    needs: Mapping[str, Need],
    occurrences: list[IdOccurrence],
    results: ResultSet,
    strict: bool = False,
    patterns: IdPatterns | None = None,
    problems: Iterable[Violation] = (),
    signoff: SignOffRecords | None = None,
    signoff_scope: str = DEFAULT_SCOPE,
    normative: NormativeHistory | None = None,
) -> Evaluation:
    """The rules over `needs`; `problems` are what the reader could not read (reported with the violations);
    `signoff`, the recorded sign-off snapshots, set beside the evidence (`truth`); `normative`, the normative changes
    since the starting point, from which items are suspect (None: not read, nothing suspect)."""
    usable, config_problems = usable_patterns(patterns or id_patterns())
    data = CheckInput(NeedGraph.build(needs), occurrences, results, strict, usable)
    records = signoff or SignOffRecords()
    truth = reconcile(data.graph, data.latest, results.history(), records, signoff_scope)
    strict_signoff = signoff_violations(data.graph, truth) if strict else []
    history = normative or NormativeHistory(unavailable="not read")
    suspect = suspects(data.graph, results.history(), truth.signoff, history)
    change_rules = [
        *review_violations(data.graph, history),
        *(suspect_violations(data.graph, suspect) if strict else []),
    ]
    violations = sorted(
        {*problems, *config_problems, *records.problems, *strict_signoff, *change_rules, *run_rules(data)},
        key=lambda v: (v.file, v.line, v.need_id, v.rule, v.message),
    )
    return Evaluation(
        data.graph,
        violations,
        data.status.all(),
        data.latest,
        data.missing_pytest_nodes,
        truth=truth,
        suspects=suspect,
        normative=history,
    )


def resolve_result_paths(root: Path, names: Iterable[str]) -> list[Path]:
    return [(root / name) if not Path(name).is_absolute() else Path(name) for name in names if name.strip()]


def evaluate_results(root: Path, names: Iterable[str]) -> ResultSet:
    return load_results(resolve_result_paths(root, names), root)


def evaluate_site(
    tree: SourceTree,
    results: ResultSet,
    settings: ProjectSettings,
    signoff: SignOffRecords,
    strict: bool = False,
    normative: NormativeHistory | None = None,
) -> Evaluation:
    """The evaluation of a site's sources with its settings: what `make check`, `make diff` and the plugin run."""
    return evaluate(
        tree.needs,
        tree.occurrences,
        results,
        strict=strict or settings.strict,
        patterns=settings.id_patterns,
        problems=tree.problems,
        signoff=signoff,
        signoff_scope=settings.signoff_scope,
        normative=normative,
    )
