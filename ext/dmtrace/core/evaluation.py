"""One evaluation of the rules and statuses over a set of needs: shared by the Sphinx build and `make check`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import REQUIREMENT_TYPES, IdOccurrence, IdPatterns, Need, Violation, id_patterns
from dmtrace.core.outcomes import TestResult
from dmtrace.core.results import ResultSet, load_results
from dmtrace.core.rules import CheckInput, run_rules
from dmtrace.core.status import NeedStatus


@dataclass(frozen=True)
class Evaluation:
    """The outcome of one check: violations, computed statuses and the latest result of each test case."""

    graph: NeedGraph
    violations: list[Violation]
    statuses: dict[str, NeedStatus]
    latest: dict[str, TestResult]
    missing_pytest_nodes: dict[str, list[str]] = field(default_factory=dict)
    # Every page of a view asks for the same scope (one per milestone page): computed once per evaluation.
    scopes: dict[str, Evaluation] = field(default_factory=dict, compare=False, repr=False)

    def scoped(self, ids: str) -> Evaluation:
        """The part a view shows: requirements and tests whose id matches the regex, the tests that verify a kept
        requirement, and every milestone. Statuses stay those computed over the whole site."""
        if not ids:
            return self
        if ids not in self.scopes:
            self.scopes[ids] = self._scope(ids)
        return self.scopes[ids]

    def _scope(self, ids: str) -> Evaluation:
        pattern = re.compile(ids)
        needs = self.graph.needs
        kept = {i for i, n in needs.items() if n.type in (*REQUIREMENT_TYPES, "test") and pattern.search(i)}
        for need_id, need in needs.items():
            if need.type == "milestone" or (need.type == "test" and any(t in kept for t in need.targets("verifies"))):
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
) -> Evaluation:
    data = CheckInput(NeedGraph.build(needs), occurrences, results, strict, patterns or id_patterns())
    return Evaluation(data.graph, run_rules(data), data.status.all(), data.latest, data.missing_pytest_nodes)


def resolve_result_paths(root: Path, names: Iterable[str]) -> list[Path]:
    return [(root / name) if not Path(name).is_absolute() else Path(name) for name in names if name.strip()]


def evaluate_results(root: Path, names: Iterable[str]) -> ResultSet:
    return load_results(resolve_result_paths(root, names), root)
