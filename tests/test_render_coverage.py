"""Coverage and dashboard numbers of a fixture site equal the numbers counted here from its sources."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from dmtrace.core.outcomes import Outcome
from tests.publish_site import BROKEN_WORDS, REQUIREMENTS, RESULTS, TESTS, expected_verification, page, table_rows

STATES = ["verified", "failing", "partially run", "not run", "untraced", "descoped"]
OUTCOMES = {"Passed": "passed", "Pass w/Deviation": "passed with deviation", "Failed": "failed", "Error": "error"}
# LDM-692's categories and DMTR-412's roll-up, in the order of the pages' columns (Descoped last, counted apart).
EVIDENCE = ["Fully Verified", "Partially Verified", "With Failures", "Not Verified", "Not Covered"]
SIGNOFF = ["Fully Verified", "Partially Verified", "In Verification", "Not Started"]
PASS_WORDS = {"Passed", "Pass w/Deviation"}
FAIL_WORDS = {"Failed", "Error"}


def _active(item_id: str) -> bool:
    return next(i for i in REQUIREMENTS if i.id == item_id).options.get("status") != "descoped"


def expected_evidence(item_id: str) -> str:
    """The VCD's category of a requirement: the last runs of the test cases of it and of every active need refining
    it, at any depth (not only those of its priority)."""
    if not _active(item_id):
        return "Descoped"
    covered, todo = set(), [item_id]
    while todo:
        current = todo.pop()
        covered.add(current)
        todo += [i.id for i in REQUIREMENTS if i.options.get("refines") == current and _active(i.id)]
    tests = {t.id for t in TESTS for v in t.options["verifies"].split(",") if v.strip() in covered}
    words = [RESULTS.get(t, ("", "Not Executed"))[1] for t in tests]
    if not words:
        return "Not Covered"
    if any(w in FAIL_WORDS for w in words):
        return "With Failures"
    if all(w in PASS_WORDS for w in words):
        return "Fully Verified"
    return "Partially Verified" if any(w in PASS_WORDS for w in words) else "Not Verified"


def expected_signoff(item_id: str) -> str:
    """The fixture has no sign-off snapshot: no VE has a recorded status (each counts as Not Covered), so every
    requirement rolls up to Not Started; a descoped one is counted apart."""
    return "Not Started" if _active(item_id) else "Descoped"


@pytest.fixture(scope="module")
def site(published_site: Path) -> Path:
    return published_site / "_build" / "html"


def _number(cell: str) -> int:
    return int(cell.split()[0])


def test_requirement_coverage_per_priority(site: Path) -> None:
    rows = table_rows(page(site, "docs/traceability/coverage"), "trace-coverage-req")
    shown = {row.cells[0]: row for row in rows}
    for kind in ("req",):
        expected: dict[str, Counter[str]] = {}
        for item in REQUIREMENTS:
            if item.type == kind:
                expected.setdefault(f"P{item.options['priority']}", Counter())[expected_verification(item.id)] += 1
        for label, counts in expected.items():
            row = shown[label]
            assert _number(row.cells[1]) == sum(counts.values())
            assert [_number(c) for c in row.cells[2:]] == [counts[s] for s in STATES], label
    p1a = shown["P1a"]
    assert p1a.cells[2] == "2 (40%)"


def test_test_outcomes_total(site: Path) -> None:
    rows = table_rows(page(site, "docs/traceability/coverage"), "trace-outcomes")
    total = rows[-1]
    assert total.cells[0] == "all"
    assert _number(total.cells[1]) == len(TESTS)
    words = Counter(OUTCOMES[w] for _, w in RESULTS.values())
    # Columns: priority, total, then one per outcome in the vocabulary's order (dmtrace.core.outcomes.Outcome).
    column = {word: 2 + index for index, word in enumerate(o.value for o in Outcome)}
    assert _number(total.cells[column["passed"]]) == words["passed"]
    assert _number(total.cells[column["error"]]) == words["error"]
    assert _number(total.cells[column["not run"]]) == len(TESTS) - len(RESULTS)


@pytest.mark.parametrize(
    ("table_class", "columns", "expected"),
    [("trace-evidence-counts", EVIDENCE, expected_evidence), ("trace-signoff-counts", SIGNOFF, expected_signoff)],
)
def test_dm_requirements_evidence_and_signoff_per_priority(
    site: Path, table_class: str, columns: list[str], expected: Callable[[str], str]
) -> None:
    html = page(site, "docs/traceability/coverage")
    shown = {row.cells[0]: row.cells for row in table_rows(html, table_class)}
    counts: dict[str, Counter[str]] = {}
    for item in REQUIREMENTS:
        if item.type == "req":  # requirements only: their VEs are not counted
            counts.setdefault(f"P{item.options['priority']}", Counter())[expected(item.id)] += 1
    counts["all"] = sum(counts.values(), Counter())
    assert list(shown) == [*(p for p in ("P1a", "P1b", "P2", "P3") if p in counts), "all"]
    for label, counter in counts.items():
        cells = shown[label]
        counted = sum(counter.values()) - counter["Descoped"]
        assert int(cells[1]) == sum(counter.values()), label
        assert [_number(c) for c in cells[2:-1]] == [counter[c] for c in columns], label
        assert int(cells[-1]) == counter["Descoped"], label
        for cell, column in zip(cells[2:-1], columns, strict=True):
            if counter[column]:
                assert cell == f"{counter[column]} ({100 * counter[column] / counted:.0f}%)"
    assert "DM requirements (requirements only, not their verification elements)" in html
    assert "descoped counted apart" in html
    assert "As of execution records up to 2025-01-13 and no sign-off snapshot." in html


def test_dashboard_headline_numbers_and_attention_lists(site: Path) -> None:
    html = page(site, "docs/index")
    p1a = [
        i
        for i in REQUIREMENTS
        if i.type == "req" and i.options["priority"] == "1a" and i.options.get("status") != "descoped"
    ]
    verified = [i for i in p1a if expected_verification(i.id) == "verified"]
    assert f'<p class="trace-card-number">{len(verified)} / {len(p1a)}</p>' in html
    signed = [i for i in p1a if expected_signoff(i.id) == "Fully Verified"]
    proven = [i for i in p1a if expected_evidence(i.id) == "Fully Verified"]
    assert (
        f"P1a DM requirements: {len(signed)} signed off Fully Verified of {len(p1a)}; "
        f"evidence Fully Verified: {len(proven)}."
    ) in html
    assert (len(signed), len(proven), len(p1a)) == (0, 2, 4)  # the fixture: DMS-REQ-0001 and -0003 pass
    untraced = [i.id for i in REQUIREMENTS if expected_verification(i.id) == "untraced"]
    rows = table_rows(html, "trace-attention")
    listed = [r.cells[0].split()[0] for r in rows]
    for item_id in untraced:
        assert item_id in listed
    assert any(w in BROKEN_WORDS for _, w in RESULTS.values())
    assert f"Untraced ({len(untraced)})" in html
