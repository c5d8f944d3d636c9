"""Each rule as a function on in-memory needs: what it flags and what it lets pass."""

from __future__ import annotations

from dmtrace.core import rules
from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import IdOccurrence, Need
from dmtrace.core.outcomes import Outcome
from dmtrace.core.results import ResultRecord, ResultSet


def need(need_id: str, type_: str = "req", line: int = 1, **kw: str) -> Need:
    links = {k: v.split(",") for k, v in kw.items() if k in ("verifies", "refines", "milestone", "after")}
    fields = {k: v for k, v in kw.items() if k not in links}
    if type_ in ("req", "subreq"):
        fields.setdefault("priority", "1a")
    if type_ == "milestone":
        fields.setdefault("due", "2025-02-12")
    return Need(need_id, type_, f"title of {need_id}", "needs/x.md", line, fields, links)


def data(
    *needs: Need, results: ResultSet | None = None, strict: bool = False, occurrences: list[IdOccurrence] | None = None
) -> rules.CheckInput:
    occ = occurrences if occurrences is not None else [IdOccurrence(n.id, n.type, n.file, n.line) for n in needs]
    return rules.CheckInput(NeedGraph.build({n.id: n for n in needs}), occ, results or ResultSet(), strict)


def codes(found) -> list[tuple[str, str]]:
    return [(v.need_id, v.rule) for v in found]


def test_unique_ids_names_both_places() -> None:
    occ = [IdOccurrence("DMS-REQ-0001", "req", "needs/a.md", 3), IdOccurrence("DMS-REQ-0001", "req", "needs/b.md", 9)]
    found = list(rules.check_unique_ids(data(occurrences=occ)))
    assert [(v.file, v.line, v.message) for v in found] == [
        ("needs/b.md", 9, "DMS-REQ-0001 is defined twice: first at needs/a.md:3")
    ]


def test_id_patterns_per_type() -> None:
    found = list(
        rules.check_id_patterns(
            data(
                need("DMS-REQ-0001"),
                need("DMS-REQ-01"),
                need("LVV-T7", "test"),
                need("T7", "test"),
                need("LDM-503-19a", "milestone"),
            )
        )
    )
    assert codes(found) == [("DMS-REQ-01", "trace.id-pattern"), ("T7", "trace.id-pattern")]


def test_missing_id_is_reported() -> None:
    found = list(rules.check_id_patterns(data(occurrences=[IdOccurrence("", "req", "needs/a.md", 4)])))
    assert [(v.need_id, v.message) for v in found] == [("(no id)", "a req needs an :id: (e.g. DMS-REQ-0293)")]


def test_field_values() -> None:
    found = list(
        rules.check_field_values(
            data(
                need("DMS-REQ-0001", priority="1b"),
                need("DMS-REQ-0002", priority="0"),
                need("LDM-503-01", "milestone", due="2025-01"),
                need("LDM-503-02", "milestone", due="2025-02-30"),
            )
        )
    )
    assert codes(found) == [("DMS-REQ-0002", "trace.field-value"), ("LDM-503-02", "trace.field-value")]


def test_forecast_entries() -> None:
    found = list(
        rules.check_forecast_entries(
            data(
                need("LDM-503-01", "milestone", forecast="2019-06=2020-05-31 2020-01=2020-11-30"),
                need(
                    "LDM-503-02", "milestone", forecast="2019-06=2020-05-31 2019-13=2020-01-01 2020-01=2020-02-30 soon"
                ),
            )
        )
    )
    assert [(v.need_id, v.message) for v in found] == [
        (
            "LDM-503-02",
            f"forecast entry {entry!r} is not YYYY-MM=YYYY-MM-DD (the month the forecast was made = the "
            "date it forecast), optionally followed by ! (completed) and @CODE (listed under that code)",
        )
        for entry in ("2019-13=2020-01-01", "2020-01=2020-02-30", "soon")
    ]


def test_field_that_does_not_apply_to_the_type() -> None:
    found = list(
        rules.check_field_applies(
            data(need("LVV-T1", "test", priority="1a", method="analysis"), need("DMS-REQ-0001", due="2025-01-01"))
        )
    )
    assert [(v.need_id, v.message) for v in found] == [
        ("LVV-T1", "field priority does not apply to a test (only req, subreq)"),
        ("DMS-REQ-0001", "field due does not apply to a req (only milestone)"),
    ]


def test_status_values() -> None:
    found = list(
        rules.check_status_values(data(need("DMS-REQ-0001", status="descoped"), need("DMS-REQ-0002", status="dropped")))
    )
    assert codes(found) == [("DMS-REQ-0002", "trace.field-value")]


def test_links_dangling_and_wrong_type() -> None:
    found = list(
        rules.check_links(
            data(
                need("DMS-REQ-0001"),
                need("LVV-T1", "test", verifies="DMS-REQ-0001"),
                need("LVV-T2", "test", verifies="DMS-REQ-0404"),
                need("LVV-T3", "test", verifies="LVV-T1"),
                need("DMS-REQ-0002", milestone="DMS-REQ-0001"),
            )
        )
    )
    assert [(v.need_id, v.rule) for v in found] == [
        ("LVV-T2", "trace.dangling-link"),
        ("LVV-T3", "trace.link-type"),
        ("DMS-REQ-0002", "trace.link-type"),
    ]


def test_link_from_wrong_source_type() -> None:
    found = list(rules.check_links(data(need("DMS-REQ-0001"), need("DMS-REQ-0002", verifies="DMS-REQ-0001"))))
    assert [v.message for v in found] == ["a req cannot have a 'verifies' link (only test)"]


def test_subreq_needs_exactly_one_parent() -> None:
    found = list(
        rules.check_single_parent(
            data(
                need("DMS-REQ-0001"),
                need("DMS-REQ-0002"),
                need("DMS-REQ-0001-V-01", "subreq", refines="DMS-REQ-0001"),
                need("DMS-REQ-0001-V-02", "subreq", refines="DMS-REQ-0001,DMS-REQ-0002"),
            )
        )
    )
    assert codes(found) == [("DMS-REQ-0001-V-02", "trace.parent-count")]


def test_cycles_reported_once() -> None:
    found = list(
        rules.check_cycles(
            data(
                need("DMS-REQ-0003", refines="DMS-REQ-0001"),
                need("DMS-REQ-0001", refines="DMS-REQ-0002"),
                need("DMS-REQ-0002", refines="DMS-REQ-0003"),
                need("DMS-REQ-0009", refines="DMS-REQ-0001"),
            )
        )
    )
    assert [v.message for v in found] == [
        "'refines' links form a cycle: DMS-REQ-0001 -> DMS-REQ-0002 -> DMS-REQ-0003 -> DMS-REQ-0001"
    ]


def test_p1a_traced_directly_by_children_or_not() -> None:
    found = list(
        rules.check_p1a_traced(
            data(
                need("DMS-REQ-0001"),
                need("LVV-T1", "test", verifies="DMS-REQ-0001"),  # direct
                need("DMS-REQ-0002"),
                need("DMS-REQ-0002-V-01", "subreq", refines="DMS-REQ-0002"),
                need("LVV-T2", "test", verifies="DMS-REQ-0002-V-01"),  # by children
                need("DMS-REQ-0003"),
                need("DMS-REQ-0003-V-01", "subreq", refines="DMS-REQ-0003", priority="1b"),
                need("DMS-REQ-0004", status="descoped"),  # exempt
                need("DMS-REQ-0005", priority="1b"),  # not P1a
            )
        )
    )
    assert codes(found) == [("DMS-REQ-0003", "trace.untraced")]


def test_p1a_parent_untraced_when_one_p1a_child_is() -> None:
    found = list(
        rules.check_p1a_traced(
            data(
                need("DMS-REQ-0002"),
                need("DMS-REQ-0002-V-01", "subreq", refines="DMS-REQ-0002"),
                need("DMS-REQ-0002-V-02", "subreq", refines="DMS-REQ-0002"),
                need("LVV-T2", "test", verifies="DMS-REQ-0002-V-01"),
            )
        )
    )
    assert codes(found) == [("DMS-REQ-0002", "trace.untraced"), ("DMS-REQ-0002-V-02", "trace.untraced")]


def _results(*records: tuple[str, Outcome]) -> ResultSet:
    return ResultSet(records=[ResultRecord(t, o, "2026-11-01 10:00", "r.xml", 5) for t, o in records])


def test_strict_mode_names_failing_tests() -> None:
    needs = (
        need("DMS-REQ-0001"),
        need("LVV-T1", "test", verifies="DMS-REQ-0001"),
        need("DMS-REQ-0002"),
        need("LVV-T2", "test", verifies="DMS-REQ-0002"),
    )
    results = _results(("LVV-T1", Outcome.FAILED))
    assert list(rules.check_p1a_verified(data(*needs, results=results))) == []
    found = list(rules.check_p1a_verified(data(*needs, results=results, strict=True)))
    assert [(v.need_id, v.message, v.rule) for v in found] == [
        ("DMS-REQ-0001", "DMS-REQ-0001 (priority 1a) has failing tests: LVV-T1", "trace.failing"),
        ("DMS-REQ-0002", "DMS-REQ-0002 (priority 1a) is not verified (not run)", "trace.unverified"),
    ]


def test_results_naming_unknown_test_cases() -> None:
    found = list(
        rules.check_result_ids(
            data(
                need("DMS-REQ-0001"),
                need("LVV-T1", "test"),
                results=_results(
                    ("LVV-T1", Outcome.PASSED), ("LVV-T404", Outcome.PASSED), ("DMS-REQ-0001", Outcome.PASSED)
                ),
            )
        )
    )
    assert [(v.file, v.line, v.message) for v in found] == [
        ("r.xml", 5, "results name test case LVV-T404, which does not exist"),
        ("r.xml", 5, "results name test case DMS-REQ-0001, which is a req, not a test"),
    ]


def test_run_rules_sorts_by_location() -> None:
    a = Need("DMS-REQ-0002", "req", "t", "needs/b.md", 1, {"priority": "1a"})
    b = Need("DMS-REQ-0001", "req", "t", "needs/a.md", 7, {"priority": "1a"})
    found = rules.run_rules(data(a, b))
    assert [(v.file, v.line) for v in found] == [("needs/a.md", 7), ("needs/b.md", 1)]
