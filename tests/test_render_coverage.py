"""Coverage and dashboard numbers of a fixture site equal the numbers counted here from its sources."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dmtrace.core.outcomes import Outcome
from tests.publish_site import BROKEN_WORDS, REQUIREMENTS, RESULTS, TESTS, expected_verification, page, table_rows

STATES = ["verified", "failing", "partially run", "not run", "untraced", "descoped"]
OUTCOMES = {"Passed": "passed", "Pass w/Deviation": "passed with deviation", "Failed": "failed", "Error": "error"}


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


def test_dashboard_headline_numbers_and_attention_lists(site: Path) -> None:
    html = page(site, "docs/index")
    p1a = [i for i in REQUIREMENTS if i.options["priority"] == "1a" and i.options.get("status") != "descoped"]
    verified = [i for i in p1a if expected_verification(i.id) == "verified"]
    assert f'<p class="trace-card-number">{len(verified)} / {len(p1a)}</p>' in html
    untraced = [i.id for i in REQUIREMENTS if expected_verification(i.id) == "untraced"]
    rows = table_rows(html, "trace-attention")
    listed = [r.cells[0].split()[0] for r in rows]
    for item_id in untraced:
        assert item_id in listed
    assert any(w in BROKEN_WORDS for _, w in RESULTS.values())
    assert f"Untraced ({len(untraced)})" in html
