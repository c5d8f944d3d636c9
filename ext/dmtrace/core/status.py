"""Computed status: how each requirement is traced and verified, rolled up from tests and children."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import PRIORITIES, REQUIREMENT_TYPES, Need
from dmtrace.core.outcomes import Outcome, TestResult


class Trace(StrEnum):
    DIRECT = "traced directly"
    CHILDREN = "traced by children"
    UNTRACED = "untraced"
    DESCOPED = "descoped"


class Verification(StrEnum):
    VERIFIED = "verified"
    FAILING = "failing"
    PARTIAL = "partially run"
    NOT_RUN = "not run"
    UNTRACED = "untraced"
    DESCOPED = "descoped"


PASSING = frozenset({Outcome.PASSED, Outcome.PASSED_WITH_DEVIATION})
BROKEN = frozenset({Outcome.FAILED, Outcome.ERROR})


@dataclass(frozen=True)
class NeedStatus:
    """What the build computes for one requirement or sub-requirement."""

    trace: Trace
    verification: Verification


def priority_rank(priority: str) -> int:
    return PRIORITIES.index(priority) if priority in PRIORITIES else len(PRIORITIES)


def relevant_children(graph: NeedGraph, need: Need) -> list[Need]:
    """Active children needed at the parent's priority or earlier: these are what 'traced by children' rests on."""
    rank = priority_rank(need.priority)
    return [child for child in graph.children(need.id) if child.is_active and priority_rank(child.priority) <= rank]


def test_outcome(results: Mapping[str, TestResult], test_id: str) -> Outcome:
    result = results.get(test_id)
    return result.outcome if result else Outcome.NOT_RUN


def _combine(states: list[Verification]) -> Verification:
    """Roll several verification states into one: every part must be verified for the whole to be."""
    if all(s is Verification.VERIFIED for s in states):
        return Verification.VERIFIED
    for worst in (Verification.FAILING, Verification.UNTRACED):
        if worst in states:
            return worst
    if all(s is Verification.NOT_RUN for s in states):
        return Verification.NOT_RUN
    return Verification.PARTIAL


def _from_outcomes(outcomes: list[Outcome]) -> Verification:
    if all(o in PASSING for o in outcomes):
        return Verification.VERIFIED
    if any(o in BROKEN for o in outcomes):
        return Verification.FAILING
    if any(o in PASSING for o in outcomes):
        return Verification.PARTIAL
    return Verification.NOT_RUN


class StatusComputer:
    """Computes and memoises the status of every requirement; cycles count as untraced (the cycle rule reports them)."""

    def __init__(self, graph: NeedGraph, results: Mapping[str, TestResult]) -> None:
        self.graph = graph
        self.results = results
        self._done: dict[str, NeedStatus] = {}
        self._visiting: set[str] = set()

    def status(self, need: Need) -> NeedStatus:
        if need.id in self._done:
            return self._done[need.id]
        if need.id in self._visiting:
            return NeedStatus(Trace.UNTRACED, Verification.UNTRACED)
        self._visiting.add(need.id)
        computed = self._compute(need)
        self._visiting.discard(need.id)
        self._done[need.id] = computed
        return computed

    def _compute(self, need: Need) -> NeedStatus:
        if not need.is_active:
            return NeedStatus(Trace.DESCOPED, Verification.DESCOPED)
        tests = self.graph.tests(need.id)
        if tests:
            outcomes = [test_outcome(self.results, t.id) for t in tests]
            return NeedStatus(Trace.DIRECT, _from_outcomes(outcomes))
        children = relevant_children(self.graph, need)
        if not children:
            return NeedStatus(Trace.UNTRACED, Verification.UNTRACED)
        child_states = [self.status(child) for child in children]
        if any(s.trace is Trace.UNTRACED for s in child_states):
            return NeedStatus(Trace.UNTRACED, Verification.UNTRACED)
        return NeedStatus(Trace.CHILDREN, _combine([s.verification for s in child_states]))

    def all(self) -> dict[str, NeedStatus]:
        return {need.id: self.status(need) for need in self.graph.needs.values() if need.type in REQUIREMENT_TYPES}
