"""The reconciliation of sign-off and evidence on the real repository, against an oracle computed here with the csv
module alone: the P1a verification elements signed off in the 2025-07-16 snapshot whose test cases' VCD last runs
are not all passes. Then the page (`{trace-reconciliation}`) and the definitions page of a real build."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.publish_site import page, table_rows

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "rubin"
SNAPSHOT = ROOT / "results" / "signoff" / "2025-07-16.csv"
CAMPAIGN = ROOT / "results" / "campaign_results.csv"
PASS_WORDS = {"Passed", "Pass w/Deviation"}  # the VCD's words for a pass (README of results/)
SIGNED_OFF = {"Verified", "Monitoring"}
BUILD_OPTIONS = ("-W", "--keep-going", "-q", "-b", "html")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def oracle_p1a_signed_off_without_evidence() -> set[str]:
    """P1a VEs Verified or Monitoring in the snapshot, with a test case whose VCD last run is no pass, or none.

    VE -> test cases from the VCD table (data/rubin), VE priority from the LVV export, last runs from the results
    file's LDM-692 rows (the VCD's last runs; the DMTR-412 campaign rows are undated and decide nothing there)."""
    by_key = {row["ve_key"]: row for row in _rows(DATA / "verification_elements.csv")}
    tests: dict[str, set[str]] = {}
    for row in _rows(DATA / "vcd_lse61_2025-12-18.csv"):
        element = by_key[row["verification_element"]]["ve_id"]
        tests.setdefault(element, set())
        if row["test_case"]:
            tests[element].add(row["test_case"])
    last_word = {row["test_case"]: row["status"] for row in _rows(CAMPAIGN) if row["report"] == "LDM-692"}
    signed = {row["ve_id"] for row in _rows(SNAPSHOT) if row["status"] in SIGNED_OFF}
    p1a = {row["ve_id"] for row in by_key.values() if row["priority"] == "1a"}
    return {
        element
        for element in signed & p1a
        if not tests.get(element) or any(last_word.get(test) not in PASS_WORDS for test in tests[element])
    }


def test_the_oracle_finds_the_thirteen_p1a_elements() -> None:
    found = oracle_p1a_signed_off_without_evidence()
    assert len(found) == 13, sorted(found)
    assert {"DMS-REQ-0059-V-01", "DMS-REQ-0359-V-03", "DMS-REQ-0359-V-09"} <= found


def test_the_truth_agrees_with_the_oracle() -> None:
    from dmtrace.core.evaluation import evaluate, evaluate_results
    from dmtrace.core.reader import read_tree
    from dmtrace.core.settings import load_settings
    from dmtrace.core.signoff import load_signoff
    from dmtrace.core.truth import SIGNED_OFF_WITHOUT_EVIDENCE

    settings = load_settings(ROOT)
    tree = read_tree(ROOT, settings.sources)
    evaluation = evaluate(
        tree.needs,
        tree.occurrences,
        evaluate_results(ROOT, [str(CAMPAIGN.relative_to(ROOT))]),
        patterns=settings.id_patterns,
        signoff=load_signoff(ROOT / settings.signoff_dir, ROOT),
        signoff_scope=settings.signoff_scope,
    )
    truth, needs = evaluation.truth, evaluation.graph.needs
    assert truth.snapshot is not None and str(truth.snapshot.date) == "2025-07-16"
    found = {
        d.need_id
        for d in truth.disagreements
        if d.kind == SIGNED_OFF_WITHOUT_EVIDENCE
        and needs[d.need_id].priority == "1a"
        and needs[d.need_id].type == "subreq"
    }
    assert found == oracle_p1a_signed_off_without_evidence()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site built once (warnings are errors), with the repository's results file alone."""
    out = tmp_path_factory.mktemp("reconciliation") / "html"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_") and k != "GITHUB_ACTIONS"}
    env["TRACE_RESULTS"] = str(CAMPAIGN.relative_to(ROOT))
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sphinx_build.py"), *BUILD_OPTIONS, str(ROOT), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_the_page_opens_with_the_answer_and_what_it_reads(built: Path) -> None:
    html = page(built, "docs/traceability/reconciliation")
    summary = re.search(r'<p class="trace-as-of trace-reconciliation-summary">(.*?)</p>', html, re.S)
    assert summary, "no summary sentence"
    text = " ".join(summary.group(1).split())
    assert text.startswith("Where do sign-off and evidence disagree? On ")
    assert text.endswith("As of execution records up to 2025-12-18 and the sign-off snapshot of 2025-07-16.")
    assert "definitions.html" in html


def test_the_count_table_counts_the_oracle_per_priority(built: Path) -> None:
    rows = {
        (row.cells[0], row.cells[1]): row.cells[2:]
        for row in table_rows(page(built, "docs/traceability/reconciliation"), "trace-reconciliation-counts")
    }
    elements = rows[("Signed off without passing evidence", "verification elements")]
    assert elements[0] == str(len(oracle_p1a_signed_off_without_evidence())) == "13"
    assert int(elements[-1]) == sum(int(n) for n in elements[:-1])
    for items in ("requirements", "verification elements"):
        totals = [sum(int(c[i]) for (k, n), c in rows.items() if n == items and k != "All kinds") for i in range(5)]
        assert [int(n) for n in rows[("All kinds", items)]] == totals


def test_each_kind_lists_its_items_linked_with_evidence_and_signoff(built: Path) -> None:
    rows = table_rows(
        page(built, "docs/traceability/reconciliation"), "trace-reconciliation-signed-off-without-evidence"
    )
    p1a_elements = {row.cells[0]: row for row in rows if row.cells[2] == "1a" and "-V-" in row.cells[0]}
    assert set(p1a_elements) == oracle_p1a_signed_off_without_evidence()
    for need_id, row in p1a_elements.items():
        assert row.hrefs[0].endswith(f".html#{need_id}"), row.hrefs
        assert row.cells[3] != "Fully Verified"
        assert re.fullmatch(r"(Verified|Monitoring) 2025-07-16", row.cells[4]), row.cells
    assert p1a_elements["DMS-REQ-0359-V-09"].cells[5] == "With Failures: LVV-T1758 Failed"


def test_the_definitions_page_has_the_vocabulary_from_the_code(built: Path) -> None:
    html = page(built, "docs/traceability/definitions")
    vocabulary = {row.cells[0]: row.cells for row in table_rows(html, "trace-vocabulary")}
    assert vocabulary["initial pass"][3] == "pass"
    assert vocabulary["passed with deviation"][3] == "pass"
    assert vocabulary["error"][3] == "failure"
    assert vocabulary["skipped"][3] == "not executed"
    assert vocabulary["not run"][1] == "“not executed”, “not run”"
    assert "reconciliation.html" in html
    index = page(built, "docs/index")
    assert "traceability/definitions.html" in index and "traceability/reconciliation.html" in index
