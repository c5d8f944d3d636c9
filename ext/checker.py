"""One evaluation of the rules and statuses over a set of needs: shared by the Sphinx build and `make check`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .graph import NeedGraph
from .model import IdOccurrence, Need, Violation
from .outcomes import TestResult
from .results import ResultSet, load_results
from .rules import CheckInput, run_rules
from .status import NeedStatus


@dataclass(frozen=True)
class Evaluation:
    """The outcome of one check: violations, computed statuses and the latest result of each test case."""

    graph: NeedGraph
    violations: list[Violation]
    statuses: dict[str, NeedStatus]
    latest: dict[str, TestResult]


def evaluate(needs: Mapping[str, Need], occurrences: list[IdOccurrence], results: ResultSet,
             strict: bool = False) -> Evaluation:
    data = CheckInput(NeedGraph.build(needs), occurrences, results, strict)
    return Evaluation(data.graph, run_rules(data), data.status.all(), data.latest)


def resolve_result_paths(root: Path, names: Iterable[str]) -> list[Path]:
    return [(root / name) if not Path(name).is_absolute() else Path(name) for name in names if name.strip()]


def evaluate_results(root: Path, names: Iterable[str]) -> ResultSet:
    return load_results(resolve_result_paths(root, names), root)
