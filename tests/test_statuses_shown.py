"""What the pages show of the verification truth, on a small site built once: readable card labels, a test case's
execution history (undated records say so, never a date), evidence and sign-off side by side, and the coverage
page's and dashboard's counts of DM requirements. Oracles: the fixture data below, counted here."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest

from dmtrace.core.model import COMPUTED_FIELDS, COMPUTED_LISTS, FIELDS
from dmtrace.views.labels import FIELD_LABELS, field_label
from tests.publish_site import table_rows
from tests.support import sphinx_build, write_site

SNAPSHOT_DATE = "2025-01-01"
# (id, type, title, priority, parent, status)
NEEDS = [
    ("DMS-REQ-0001", "req", "Raw images archived", "1a", "", "active"),
    ("DMS-REQ-0001-V-01", "subreq", "Raw images ingested", "1a", "DMS-REQ-0001", "active"),
    ("DMS-REQ-0001-V-02", "subreq", "Raw images retrieved", "1a", "DMS-REQ-0001", "active"),
    ("DMS-REQ-0002", "req", "Calibration products", "1a", "", "active"),
    ("DMS-REQ-0002-V-01", "subreq", "Calibration flats", "1a", "DMS-REQ-0002", "active"),
    ("DMS-REQ-0003", "req", "Alert latency", "1b", "", "active"),
    ("DMS-REQ-0003-V-01", "subreq", "Alert latency measured", "1b", "DMS-REQ-0003", "active"),
    ("DMS-REQ-0004", "req", "Retired photometry", "1a", "", "descoped"),
    ("DMS-REQ-0004-V-01", "subreq", "Retired photometry check", "1a", "DMS-REQ-0004", "descoped"),
    ("DMS-REQ-0005", "req", "Archive format migration", "2", "", "active"),
    ("DMS-REQ-0006", "req", "Template coadds", "1a", "", "active"),
    ("DMS-REQ-0006-V-01", "subreq", "Template coadds built", "1a", "DMS-REQ-0006", "active"),
]
TESTS = {
    "LVV-T1": "DMS-REQ-0001-V-01",
    "LVV-T2": "DMS-REQ-0001-V-02",
    "LVV-T3": "DMS-REQ-0002-V-01",
    "LVV-T4": "DMS-REQ-0003-V-01",
    "LVV-T5": "DMS-REQ-0003-V-01",
    "LVV-T6": "DMS-REQ-0006-V-01",
}
VCD = "LDM-692 VCD 2025-12-18"
# test_case, last_run, status, source, execution, plan, cycle, report: as results/campaign_results.csv has them.
RESULTS = [
    ("LVV-T1", "2019-05-22", "Passed", VCD, "", "", "", "LDM-692"),
    ("LVV-T1", "", "Initial Pass", "DMTR-412", "LVV-E3560", "LVV-P117", "LVV-R275", "DMTR-412"),
    ("LVV-T2", "2024-11-08", "Not Executed", VCD, "", "", "", "LDM-692"),
    ("LVV-T3", "2023-01-09", "Failed", VCD, "", "", "", "LDM-692"),
    ("LVV-T3", "2025-03-01", "Pass w/Deviation", VCD, "", "", "", "LDM-692"),
    ("LVV-T4", "", "Initial Pass", "DMTR-412", "LVV-E3561", "LVV-P117", "LVV-R275", "DMTR-412"),
    ("LVV-T5", "2025-02-02", "Failed", VCD, "", "", "", "LDM-692"),
    ("LVV-T6", "2024-11-08", "Not Executed", VCD, "", "", "", "LDM-692"),
]
SIGNOFF = {  # ve_id -> (ve_key, status); DMS-REQ-0001-V-02 has no recorded status
    "DMS-REQ-0001-V-01": ("LVV-101", "Verified"),
    "DMS-REQ-0002-V-01": ("LVV-103", "Monitoring"),
    "DMS-REQ-0003-V-01": ("LVV-104", "In Verification"),
    "DMS-REQ-0004-V-01": ("LVV-105", "Descoped"),
    "DMS-REQ-0006-V-01": ("LVV-106", "Verified"),
}
PASS_WORDS = {"Passed", "Pass w/Deviation", "Initial Pass"}
FAIL_WORDS = {"Failed"}
EVIDENCE = ["Fully Verified", "Partially Verified", "With Failures", "Not Verified", "Not Covered"]
ROLL_UP = ["Fully Verified", "Partially Verified", "In Verification", "Not Started"]
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _directive(need_id: str, kind: str, title: str, priority: str, parent: str, status: str) -> str:
    options = f":id: {need_id}\n:priority: {priority}\n"
    options += f":refines: {parent}\n" if parent else ""
    options += ":status: descoped\n" if status == "descoped" else ""
    options += f":jira: {SIGNOFF[need_id][0]}\n" if need_id in SIGNOFF else ""
    return f"```{{{kind}}} {title}\n{options}```\n"


def _pages() -> dict[str, str]:
    tests = "".join(
        f"```{{test}} Test of {target}\n:id: {test}\n:verifies: {target}\n:spec: LDM-639\n```\n"
        for test, target in TESTS.items()
    )
    csv_lines = ["test_case,last_run,status,source,execution,plan,cycle,report"] + [",".join(r) for r in RESULTS]
    snapshot = ["ve_id,ve_key,status"] + [f"{ve},{key},{status}" for ve, (key, status) in SIGNOFF.items()]
    return {
        "index.md": "# Fixture\n\n```{trace-dashboard}\n```\n\n```{toctree}\n:glob:\n\ncoverage\nneeds/**\n```\n",
        "coverage.md": "# Coverage\n\n```{trace-coverage}\n```\n",
        "needs/reqs.md": "# Requirements\n\n" + "\n".join(_directive(*need) for need in NEEDS),
        "needs/tests.md": "# Tests\n\n" + tests,
        "results/campaign_results.csv": "\n".join(csv_lines) + "\n",
        f"results/signoff/{SNAPSHOT_DATE}.csv": "\n".join(snapshot) + "\n",
    }


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_site(tmp_path_factory.mktemp("statuses"), _pages(), results=["results/campaign_results.csv"])
    with (site / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('trace_signoff_scope = "^DMS-REQ-"\ntrace_today = "2026-01-01"\n')
    done = sphinx_build(site)
    assert done.returncode == 0, done.stdout + done.stderr
    return site / "_build" / "html"


# --- The oracle: evidence, sign-off and the deciding record, counted from the data above --------------------------


def _need(need_id: str) -> tuple[str, str, str, str, str, str]:
    return next(n for n in NEEDS if n[0] == need_id)


def _rows_of(test: str) -> list[tuple[str, ...]]:
    return [r for r in RESULTS if r[0] == test]


def deciding(test: str) -> tuple[str, ...]:
    """The newest dated row (ISO dates compare as text here); an undated row only when no row is dated; a test case
    without rows has not been executed."""
    rows = _rows_of(test)
    dated = sorted((r for r in rows if r[1]), key=lambda r: r[1])
    return dated[-1] if dated else (rows[-1] if rows else (test, "", "Not Executed", "", "", "", "", ""))


def evidence(need_id: str) -> str:
    if _need(need_id)[5] == "descoped":
        return "Descoped"
    covered, todo = set(), [need_id]
    while todo:
        current = todo.pop()
        covered.add(current)
        todo += [n[0] for n in NEEDS if n[4] == current and n[5] == "active"]
    words = [deciding(t)[2] for t, target in TESTS.items() if target in covered]
    if not words:
        return "Not Covered"
    if any(w in FAIL_WORDS for w in words):
        return "With Failures"
    if all(w in PASS_WORDS for w in words):
        return "Fully Verified"
    return "Partially Verified" if any(w in PASS_WORDS for w in words) else "Not Verified"


def signoff(need_id: str) -> tuple[str, str]:
    """(status, note): a VE's recorded status, a requirement's roll-up of its VEs' (DMTR-412's rule)."""
    kind = _need(need_id)[1]
    if kind == "subreq":
        recorded = SIGNOFF.get(need_id)
        return (recorded[1], "") if recorded else ("Not Covered", "no recorded status: counts as Not Covered")
    statuses = [signoff(n[0])[0] for n in NEEDS if n[4] == need_id]
    if not statuses:
        return "Not Started", "no verification element: counts as Not Started"
    if all(s == "Descoped" for s in statuses):
        return "Descoped", ""
    active = [s for s in statuses if s != "Descoped"]
    if all(s in ("Verified", "Monitoring") for s in active):
        return "Fully Verified", ""
    if any(s in ("Verified", "Monitoring") for s in active):
        return "Partially Verified", ""
    return ("In Verification" if any(s in ("In Verification", "Covered") for s in active) else "Not Started"), ""


def as_of() -> str:
    until = max(r[1] for r in RESULTS if r[1])
    return f"As of execution records up to {until} and the sign-off snapshot of {SNAPSHOT_DATE}."


# --- Reading the HTML ---------------------------------------------------------------------------------------------


def _card(out: Path, need_id: str) -> str:
    page = "tests" if need_id.startswith("LVV-") else "reqs"
    html = (out / "needs" / f"{page}.html").read_text(encoding="utf-8")
    match = re.search(rf'<div class="need needs_compact[^"]*"[^>]* id="{re.escape(need_id)}">(.*?)\n</div>', html, re.S)
    assert match, f"no compact card for {need_id}"
    return match[1]


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def _fields(card: str, line: str) -> dict[str, str]:
    """Label -> value of one line of a card (`needs_meta`, `needs_truth`, `needs_result`)."""
    found = re.search(rf'<p class="{line}">(.*?)</p>', card, re.S)
    if not found:
        return {}
    pairs = re.findall(r'<span class="needs_label">(.*?): </span>(.*?)</span>(?=<span class="needs_|$)', found[1])
    return {_text(label): _text(value) for label, value in pairs}


def _history(card: str) -> tuple[str, list[list[str]]]:
    table = re.search(r'<table class="needs_executions">(.*?)</table>', card, re.S)
    assert table, "no execution history"
    caption = re.search(r"<caption>(.*?)</caption>", table[1], re.S)
    assert caption, "no caption"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table[1].split("<tbody>")[1], re.S)
    return _text(caption[1]), [[_text(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]


# --- The tests ----------------------------------------------------------------------------------------------------


def test_every_field_has_a_readable_label() -> None:
    names = [*FIELDS, *COMPUTED_FIELDS, *COMPUTED_LISTS]
    assert [n for n in names if n not in FIELD_LABELS] == []
    assert all(" " in field_label(n) or "_" not in field_label(n) for n in names)
    assert field_label("jira") == "Jira key" and field_label("last_record") == "Record"


def test_cards_use_labels_not_field_names(out: Path) -> None:
    raw = {*FIELDS, *COMPUTED_FIELDS, *COMPUTED_LISTS}
    for need_id in [n[0] for n in NEEDS] + list(TESTS):
        card = _card(out, need_id)
        labels = {_text(label) for label in re.findall(r'<span class="needs_label">(.*?): </span>', card)}
        assert labels and not labels & raw, (need_id, labels & raw)
        assert "{'date'" not in card and "executions" not in _text(card)  # the history is a table, not a dump
    assert _fields(_card(out, "DMS-REQ-0001-V-01"), "needs_meta")["Jira key"] == "LVV-101"
    assert _fields(_card(out, "DMS-REQ-0001"), "needs_meta")["Priority"] == "1a"
    result = _fields(_card(out, "LVV-T1"), "needs_result")
    assert result == {
        "Last run": "2019-05-22",
        "Last status": "Passed",
        "Record": VCD,
        "Results file": "results/campaign_results.csv",
    }
    meta = _fields(_card(out, "LVV-T1"), "needs_meta")
    # The card shows what a reviewer records (`reviewed`): twelve hex digits.
    assert re.fullmatch(r"[0-9a-f]{12}", meta.pop("Normative fingerprint"))
    assert meta == {"Test specification": "LDM-639"}


@pytest.mark.parametrize("test", ["LVV-T1", "LVV-T3", "LVV-T4"])
def test_a_test_cases_card_shows_its_execution_history_newest_first(out: Path, test: str) -> None:
    caption, rows = _history(_card(out, test))
    records = _rows_of(test)
    assert caption.startswith(f"Execution history: {len(records)} record{'s' if len(records) > 1 else ''}, newest")
    assert "undated records last" in caption
    ordered = sorted((r for r in records if r[1]), key=lambda r: r[1], reverse=True) + [r for r in records if not r[1]]
    # Columns no record fills are left out; date and status always shown.
    kept = [i for i in range(1, 8) if i in (1, 2) or any(r[i] for r in records)]
    expected = [[r[i] if i != 1 or r[i] else "undated (no date in the data)" for i in kept] for r in ordered]
    assert rows == expected


def test_a_not_run_result_says_what_its_date_is(out: Path) -> None:
    date, word = deciding("LVV-T2")[1:3]
    result = _fields(_card(out, "LVV-T2"), "needs_result")
    assert result["Last status"] == f"{word} on {date} (VCD last run)"
    assert "Last run" not in result  # the date is said once, with what it means


def test_an_undated_result_says_so_and_shows_no_date(out: Path) -> None:
    card = _card(out, "LVV-T4")
    report = deciding("LVV-T4")[7]
    result = _fields(card, "needs_result")
    assert result["Last run"] == f"undated: no date in the data (report {report})"
    assert result["Last status"] == "Initial Pass"
    assert DATE.findall(card) == []  # no row of LVV-T4 has a date: none is made up


@pytest.mark.parametrize("need_id", [n[0] for n in NEEDS])
def test_requirement_and_ve_cards_show_evidence_and_signoff_side_by_side(out: Path, need_id: str) -> None:
    truth = _fields(_card(out, need_id), "needs_truth")
    status, note = signoff(need_id)
    assert list(truth) == ["Evidence", f"Sign-off ({SNAPSHOT_DATE})"]
    assert truth["Evidence"] == evidence(need_id)
    assert truth[f"Sign-off ({SNAPSHOT_DATE})"] == (f"{status} ({note})" if note else status)


def test_the_oracle_covers_every_case() -> None:
    """The fixture shows each thing the pages must say: a VE without a record, a requirement without VEs, a sign-off
    without passing evidence, failures after a pass, an undated campaign pass."""
    assert signoff("DMS-REQ-0001-V-02")[1] and signoff("DMS-REQ-0005")[1]
    assert signoff("DMS-REQ-0006")[0] == "Fully Verified" and evidence("DMS-REQ-0006") == "Not Verified"
    assert {evidence(n[0]) for n in NEEDS} == {*EVIDENCE, "Descoped"}


def _dm_counts(value_of: Callable[[str], str]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for need_id, kind, _, priority, _, status in NEEDS:
        if kind == "req":  # requirements only; a descoped one counts as Descoped whatever its record
            value = "Descoped" if status == "descoped" else value_of(need_id)
            counts.setdefault(f"P{priority}", Counter())[value] += 1
    counts["all"] = sum(counts.values(), Counter())
    return counts


@pytest.mark.parametrize(
    ("table_class", "columns", "value_of"),
    [
        ("trace-evidence-counts", EVIDENCE, evidence),
        ("trace-signoff-counts", ROLL_UP, lambda need_id: signoff(need_id)[0]),
    ],
)
def test_coverage_counts_evidence_and_signoff_of_dm_requirements(
    out: Path, table_class: str, columns: list[str], value_of: Callable[[str], str]
) -> None:
    html = (out / "coverage.html").read_text(encoding="utf-8")
    rows = {row.cells[0]: row.cells for row in table_rows(html, table_class)}
    counts = _dm_counts(value_of)
    assert list(rows) == list(counts)
    for label, counter in counts.items():
        counted = sum(counter.values()) - counter["Descoped"]
        expected = [str(sum(counter.values()))]
        expected += [f"{counter[c]} ({100 * counter[c] / counted:.0f}%)" if counter[c] else "0" for c in columns]
        assert rows[label][1:] == [*expected, str(counter["Descoped"])], label
    assert html.count(as_of()) >= 2  # each table's caption
    assert html.count("descoped counted apart") == 2


def test_dashboard_headline_counts_p1a_dm_requirements_only(out: Path) -> None:
    html = _text((out / "index.html").read_text(encoding="utf-8"))
    p1a = [n[0] for n in NEEDS if n[1] == "req" and n[3] == "1a" and n[5] == "active"]
    signed = [n for n in p1a if signoff(n)[0] == "Fully Verified"]
    proven = [n for n in p1a if evidence(n) == "Fully Verified"]
    assert (len(p1a), len(signed), len(proven)) == (3, 2, 1)  # distinct, so a mix-up shows
    assert (
        f"P1a DM requirements: {len(signed)} signed off Fully Verified of {len(p1a)}; "
        f"evidence Fully Verified: {len(proven)}."
    ) in html
    assert as_of() in html
