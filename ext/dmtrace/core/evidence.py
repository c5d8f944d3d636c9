"""Evidence: what the test runs show for a requirement or verification element, in the VCD's own categories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import REQUIREMENT_TYPES, Need
from dmtrace.core.outcomes import FAILURES, PASSES, Outcome, TestResult


class Evidence(StrEnum):
    """LDM-692's test-based summary categories (the VCD's summary until 2023), plus Descoped."""

    FULLY_VERIFIED = "Fully Verified"  # every last run a pass
    PARTIALLY_VERIFIED = "Partially Verified"  # at least one pass, the rest not executed
    WITH_FAILURES = "With Failures"  # any last run a failure
    NOT_VERIFIED = "Not Verified"  # test cases, none executed
    NOT_COVERED = "Not Covered"  # no test case
    DESCOPED = "Descoped"


EVIDENCE_ORDER: tuple[Evidence, ...] = tuple(Evidence)


@dataclass(frozen=True)
class Tally:
    """What the last runs of a set of test cases add up to: union-safe, so shared test cases count once."""

    tests: bool = False
    any_failure: bool = False
    any_pass: bool = False
    all_pass: bool = True
    latest: dt.date | None = None  # the newest dated deciding run

    def __or__(self, other: Tally) -> Tally:
        dates = [d for d in (self.latest, other.latest) if d is not None]
        return Tally(
            self.tests or other.tests,
            self.any_failure or other.any_failure,
            self.any_pass or other.any_pass,
            self.all_pass and other.all_pass,
            max(dates) if dates else None,
        )

    @property
    def category(self) -> Evidence:
        if not self.tests:
            return Evidence.NOT_COVERED
        if self.any_failure:
            return Evidence.WITH_FAILURES
        if self.all_pass:
            return Evidence.FULLY_VERIFIED
        return Evidence.PARTIALLY_VERIFIED if self.any_pass else Evidence.NOT_VERIFIED


def tally_of(result: TestResult | None) -> Tally:
    outcome = result.outcome if result else Outcome.NOT_RUN
    try:
        latest = dt.date.fromisoformat(result.when[:10]) if result and result.when else None
    except ValueError:
        latest = None
    return Tally(True, outcome in FAILURES, outcome in PASSES, outcome in PASSES, latest)


def category(outcomes: Iterable[Outcome]) -> Evidence:
    """The category of a set of test cases' last outcomes (a skip or no run counts as not executed)."""
    total = Tally()
    for outcome in outcomes:
        total = total | Tally(True, outcome in FAILURES, outcome in PASSES, outcome in PASSES)
    return total.category


def covering_tests(graph: NeedGraph, need: Need) -> list[str]:
    """The test cases that verify `need` or an active need refining it, at any depth (no recursion)."""
    found: dict[str, None] = {}
    seen = {need.id}
    stack = [need]
    while stack:
        current = stack.pop()
        found.update((test.id, None) for test in graph.tests(current.id))
        for child in graph.children(current.id):
            if child.id not in seen and child.is_active:
                seen.add(child.id)
                stack.append(child)
    return list(found)


def tallies(graph: NeedGraph, latest: Mapping[str, TestResult]) -> dict[str, Tally]:
    """Per requirement and VE, the tally of its own test cases and those of the active needs refining it, computed
    once per need, children first (no recursion; members of a refinement cycle see the part of it below them)."""
    own = {
        need_id: _own(graph, need_id, latest) for need_id, need in graph.needs.items() if need.type in REQUIREMENT_TYPES
    }
    done: dict[str, Tally] = {}
    for root in own:
        if root in done:
            continue
        stack: list[tuple[str, bool]] = [(root, False)]
        visiting: set[str] = set()
        while stack:
            need_id, expanded = stack.pop()
            if need_id in done:
                continue
            children = [c.id for c in graph.children(need_id) if c.is_active and c.id in own]
            if expanded:
                total = own[need_id]
                for child in children:
                    total = total | done.get(child, Tally())
                done[need_id] = total
                continue
            visiting.add(need_id)
            stack.append((need_id, True))
            stack.extend((child, False) for child in children if child not in done and child not in visiting)
    return done


def _own(graph: NeedGraph, need_id: str, latest: Mapping[str, TestResult]) -> Tally:
    total = Tally()
    for test in graph.tests(need_id):
        total = total | tally_of(latest.get(test.id))
    return total


def evidence_all(graph: NeedGraph, latest: Mapping[str, TestResult]) -> dict[str, Evidence]:
    """The evidence of every requirement and verification element."""
    counted = tallies(graph, latest)
    return {
        need_id: Evidence.DESCOPED if not graph.needs[need_id].is_active else tally.category
        for need_id, tally in counted.items()
    }
