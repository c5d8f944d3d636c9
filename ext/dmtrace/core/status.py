"""Computed status: how each requirement is traced and verified, rolled up from tests and children."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import PRIORITIES, REQUIREMENT_TYPES, Need
from dmtrace.core.outcomes import PASSES, Outcome, TestResult


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


PASSING = PASSES
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


_UNTRACED = NeedStatus(Trace.UNTRACED, Verification.UNTRACED)
_IN_CYCLE = _UNTRACED  # what a child on the same refinement cycle counts as


def _roll_up(child_states: list[NeedStatus]) -> NeedStatus:
    """A requirement traced through its (relevant, non-empty) children: untraced if any of them is."""
    if any(s.trace is Trace.UNTRACED for s in child_states):
        return _UNTRACED
    return NeedStatus(Trace.CHILDREN, _combine([s.verification for s in child_states]))


class StatusComputer:
    """Computes and memoises the status of every requirement; cycles count as untraced (the cycle rule reports them).

    The roll-up through children walks an explicit stack, so a refinement chain of any depth needs no recursion."""

    def __init__(self, graph: NeedGraph, results: Mapping[str, TestResult]) -> None:
        self.graph = graph
        self.results = results
        self._done: dict[str, NeedStatus] = {}
        self._visiting: set[str] = set()

    def status(self, need: Need) -> NeedStatus:
        if need.id not in self._done:
            self._resolve(need)
        return self._done[need.id]

    def _resolve(self, root: Need) -> None:
        """Depth-first over relevant children, each need closed after all its children. A child still open when its
        parent closes is an ancestor on the stack, i.e. the two lie on a cycle: it counts as untraced there."""
        open_needs: list[tuple[Need, list[Need], Iterator[Need]]] = []
        self._open(root, open_needs)
        while open_needs:
            need, children, pending = open_needs[-1]
            for child in pending:
                if child.id not in self._done and child.id not in self._visiting:
                    self._open(child, open_needs)
                    break
            else:
                open_needs.pop()
                self._visiting.discard(need.id)
                self._done[need.id] = _roll_up([self._done.get(child.id, _IN_CYCLE) for child in children])

    def _open(self, need: Need, open_needs: list[tuple[Need, list[Need], Iterator[Need]]]) -> None:
        """Settles `need` at once when its children do not matter, else puts it on the stack to visit them."""
        if not need.is_active:
            self._done[need.id] = NeedStatus(Trace.DESCOPED, Verification.DESCOPED)
            return
        tests = self.graph.tests(need.id)
        if tests:
            outcomes = [test_outcome(self.results, t.id) for t in tests]
            self._done[need.id] = NeedStatus(Trace.DIRECT, _from_outcomes(outcomes))
            return
        children = relevant_children(self.graph, need)
        if not children:
            self._done[need.id] = _UNTRACED
            return
        self._visiting.add(need.id)
        open_needs.append((need, children, iter(children)))

    def all(self) -> dict[str, NeedStatus]:
        return {need.id: self.status(need) for need in self.graph.needs.values() if need.type in REQUIREMENT_TYPES}
