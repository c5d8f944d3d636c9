"""A test plan's executions, read from the one execution history (records whose `plan` names it), summarised as
a test report does: per test case its execution key, status word and what it verifies, with totals per word."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import natural_key
from dmtrace.core.results import ResultRecord


@dataclass(frozen=True)
class PlanExecution:
    """One execution of a plan: the test case, its record, and the requirements or VEs the test case verifies."""

    test_id: str
    record: ResultRecord
    verifies: tuple[str, ...]

    @property
    def word(self) -> str:
        """The status word as recorded (Pass, Pass w/ Deviation, Initial Pass, ...)."""
        return self.record.provenance.word or self.record.outcome.value


def plan_executions(plan_id: str, history: Mapping[str, list[ResultRecord]], graph: NeedGraph) -> list[PlanExecution]:
    """Every record of the plan, in test case order (a test case run twice in the plan is listed twice)."""
    found = []
    for test_id, records in history.items():
        test = graph.needs.get(test_id)
        verifies = tuple(sorted(test.targets("verifies"), key=natural_key)) if test else ()
        found += [PlanExecution(test_id, r, verifies) for r in records if r.provenance.plan == plan_id]
    return sorted(found, key=lambda e: (natural_key(e.test_id), natural_key(e.record.provenance.execution)))


def plan_totals(executions: list[PlanExecution]) -> Counter[str]:
    """Executions per recorded status word."""
    return Counter(e.word for e in executions)


def plans_serving(milestone_id: str, graph: NeedGraph) -> list[str]:
    """The plans whose `serves` link names the milestone."""
    return sorted(
        (i for i in graph.linked_from(milestone_id, "serves") if graph.needs[i].type == "plan"), key=natural_key
    )
