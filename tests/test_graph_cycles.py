"""Graph rules on large and awkward graphs: every cycle is found whatever the order of a need's targets, and chains
and cycles of 10,000 needs are evaluated without recursion (built in memory, no Sphinx build)."""

from __future__ import annotations

from dmtrace.core import rules
from dmtrace.core.evaluation import Evaluation, evaluate
from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import IdOccurrence, Need
from dmtrace.core.results import ResultSet
from dmtrace.core.status import Trace, Verification

LONG = 10_000


def req(need_id: str, *refines: str, line: int = 1) -> Need:
    return Need(
        need_id, "req", f"title of {need_id}", "needs/x.md", line, {"priority": "2"}, {"refines": list(refines)}
    )


def milestone(need_id: str, *after: str, line: int = 1) -> Need:
    return Need(
        need_id, "milestone", f"title of {need_id}", "needs/m.md", line, {"due": "2025-02-12"}, {"after": list(after)}
    )


def cycles(*needs: Need) -> list[tuple[str, int, str]]:
    data = rules.CheckInput(NeedGraph.build({n.id: n for n in needs}), [], ResultSet())
    found = list(rules.check_cycles(data))
    assert all(v.rule == "trace.cycle" for v in found)
    return [(v.need_id, v.line, v.message) for v in found]


def run(needs: list[Need]) -> Evaluation:
    occurrences = [IdOccurrence(n.id, n.type, n.file, n.line) for n in needs]
    return evaluate({n.id: n for n in needs}, occurrences, ResultSet())


def test_refines_cycle_found_when_each_first_target_lies_outside_it() -> None:
    found = cycles(
        req("DMS-REQ-0001", "DMS-REQ-0100", "DMS-REQ-0002", line=3),
        req("DMS-REQ-0002", "DMS-REQ-0101", "DMS-REQ-0003", line=9),
        req("DMS-REQ-0003", "DMS-REQ-0102", "DMS-REQ-0001", line=15),
        req("DMS-REQ-0100"),
        req("DMS-REQ-0101"),
        req("DMS-REQ-0102", "DMS-REQ-0100"),
    )
    assert found == [
        (
            "DMS-REQ-0001",
            3,
            "'refines' links form a cycle: DMS-REQ-0001 -> DMS-REQ-0002 -> DMS-REQ-0003 -> DMS-REQ-0001",
        )
    ]


def test_after_cycle_found_when_each_first_target_lies_outside_it() -> None:
    found = cycles(
        milestone("LDM-503-03", "LDM-503-00", "LDM-503-01", line=20),
        milestone("LDM-503-01", "LDM-503-00", "LDM-503-02", line=4),
        milestone("LDM-503-02", "LDM-503-00", "LDM-503-03", line=12),
        milestone("LDM-503-00"),
    )
    assert found == [
        ("LDM-503-01", 4, "'after' links form a cycle: LDM-503-01 -> LDM-503-02 -> LDM-503-03 -> LDM-503-01")
    ]


def test_the_report_does_not_depend_on_the_order_of_targets_or_needs() -> None:
    forward = [
        req("DMS-REQ-0001", "DMS-REQ-0009", "DMS-REQ-0002"),
        req("DMS-REQ-0002", "DMS-REQ-0009", "DMS-REQ-0001"),
        req("DMS-REQ-0009"),
    ]
    backward = [
        req("DMS-REQ-0009"),
        req("DMS-REQ-0002", "DMS-REQ-0001", "DMS-REQ-0009"),
        req("DMS-REQ-0001", "DMS-REQ-0002", "DMS-REQ-0009"),
    ]
    assert cycles(*forward) == cycles(*backward) != []


def test_knotted_cycles_are_reported_once_naming_every_member() -> None:
    """Two cycles through DMS-REQ-0001 and a self-loop: one report per knot, the self-loop one of its own."""
    found = cycles(
        req("DMS-REQ-0001", "DMS-REQ-0003", "DMS-REQ-0002"),
        req("DMS-REQ-0002", "DMS-REQ-0001"),
        req("DMS-REQ-0003", "DMS-REQ-0004"),
        req("DMS-REQ-0004", "DMS-REQ-0001"),
        req("DMS-REQ-0005", "DMS-REQ-0005"),
        req("DMS-REQ-0006", "DMS-REQ-0001"),
    )
    assert [message for _, _, message in found] == [
        "'refines' links form a cycle: DMS-REQ-0001 -> DMS-REQ-0002 -> DMS-REQ-0001; also in it: DMS-REQ-0003, "
        "DMS-REQ-0004",
        "'refines' links form a cycle: DMS-REQ-0005 -> DMS-REQ-0005",
    ]


def test_chain_of_10000_refines_evaluates() -> None:
    """Root first, each requirement refining the one before it, a test on the last one: statuses roll up the chain."""
    ids = [f"DMS-REQ-{i:04d}" for i in range(LONG)]
    needs = [req(ids[0]), *(req(ids[i], ids[i - 1], line=i + 1) for i in range(1, LONG))]
    needs.append(Need("LVV-T1", "test", "verify", "needs/t.md", 1, {}, {"verifies": [ids[-1]]}))
    evaluation = run(needs)
    assert evaluation.violations == []
    assert evaluation.statuses[ids[-1]].trace is Trace.DIRECT
    for need_id in ids[:-1]:
        assert evaluation.statuses[need_id].trace is Trace.CHILDREN
        assert evaluation.statuses[need_id].verification is Verification.NOT_RUN


def test_cycle_of_10000_refines_is_reported_once() -> None:
    ids = [f"DMS-REQ-{i:04d}" for i in range(LONG)]
    needs = [req(ids[i], ids[(i + 1) % LONG], line=i + 1) for i in range(LONG)]
    evaluation = run(needs)
    found = [v for v in evaluation.violations if v.rule == "trace.cycle"]
    assert len(found) == 1
    assert (found[0].need_id, found[0].line) == ("DMS-REQ-0000", 1)
    assert found[0].message == "'refines' links form a cycle: " + " -> ".join([*ids, ids[0]])
    assert {v.rule for v in evaluation.violations} == {"trace.cycle"}
    assert all(s.trace is Trace.UNTRACED for s in evaluation.statuses.values())


def test_cycle_of_10000_milestones_is_reported_once() -> None:
    ids = [f"LDM-503-{i:05d}" for i in range(LONG)]
    needs = [milestone(ids[i], "LDM-503-X", ids[(i + 1) % LONG], line=i + 1) for i in range(LONG)]
    found = cycles(*needs, milestone("LDM-503-X"))
    assert [(need_id, line) for need_id, line, _ in found] == [("LDM-503-00000", 1)]


def test_the_matrix_tree_order_walks_a_chain_of_10000_without_recursion() -> None:
    from types import SimpleNamespace
    from typing import Any, cast

    from dmtrace.views.matrix import requirements_in_tree_order

    chain = [
        Need(
            id=f"R-{i:05d}",
            type="req",
            title="",
            file="n.md",
            line=i + 1,
            fields={"priority": "1a"},
            links={"refines": [f"R-{i - 1:05d}"]} if i else {},
        )
        for i in range(10_000)
    ]
    evaluation = evaluate({n.id: n for n in chain}, [], ResultSet())
    ordered = list(requirements_in_tree_order(cast(Any, SimpleNamespace(evaluation=evaluation))))
    assert [(need.id, depth) for need, depth in ordered] == [(n.id, i) for i, n in enumerate(chain)]


def test_milestone_chains_of_10000_are_walked_without_recursion() -> None:
    from types import SimpleNamespace
    from typing import Any, cast

    from dmtrace.views.milestone_index import MAX_CHAINS, _chains

    chain = [
        Need(
            id=f"M-{i:05d}",
            type="milestone",
            title="",
            file="m.md",
            line=i + 1,
            fields={},
            links={"after": [f"M-{i - 1:05d}"]} if i else {},
        )
        for i in range(10_000)
    ]
    branching = [  # B-0 before B-1 and B-2, each of them before B-3: two chains
        Need(id="B-0", type="milestone", title="", file="b.md", line=1, fields={}, links={}),
        Need(id="B-1", type="milestone", title="", file="b.md", line=2, fields={}, links={"after": ["B-0"]}),
        Need(id="B-2", type="milestone", title="", file="b.md", line=3, fields={}, links={"after": ["B-0"]}),
        Need(id="B-3", type="milestone", title="", file="b.md", line=4, fields={}, links={"after": ["B-1", "B-2"]}),
    ]
    needs = {n.id: n for n in [*chain, *branching]}
    ctx = cast(Any, SimpleNamespace(evaluation=evaluate(needs, [], ResultSet())))
    found = list(_chains(ctx, needs))
    assert found[0] == ["B-0", "B-1", "B-3"] and found[1] == ["B-0", "B-2", "B-3"]
    assert found[2] == [n.id for n in chain]
    assert len(found) == 3 <= MAX_CHAINS
