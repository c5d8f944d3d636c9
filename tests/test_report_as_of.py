"""`make report AS_OF=...` (scripts/report.py) on the real repository: DMTR-412's published P1a sign-off figure for
the 2024-10-29 export, the evidence dated on or before the day, and one clear message for a bad date."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "report.py"
SIGNOFF_COLUMNS = ["priority", "Fully Verified", "Partially Verified", "In Verification", "Not Started", "Descoped"]
EVIDENCE_COLUMNS = [
    "priority",
    "Fully Verified",
    "Partially Verified",
    "With Failures",
    "Not Verified",
    "Not Covered",
    "Descoped",
]


def report(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_")}
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(ROOT), *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        check=False,
        timeout=300,
    )


def tables(markdown: str) -> list[dict[str, dict[str, int]]]:
    """Every Markdown table of the output: row label -> column -> count (the header's first cell is the label)."""
    found: list[dict[str, dict[str, int]]] = []
    header: list[str] | None = None
    for line in [*markdown.splitlines(), ""]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells is None:
            header = None
        elif header is None:
            header = cells
            found.append({})
        elif not all(re.fullmatch(r":?-+:?", c) for c in cells):
            found[-1][cells[0]] = {name: int(value) for name, value in zip(header[1:], cells[1:], strict=True)}
    return found


@pytest.fixture(scope="module")
def as_of_2024_10_29() -> subprocess.CompletedProcess[str]:
    return report("--as-of", "2024-10-29")


def test_p1a_signoff_on_2024_10_29_is_dmtr_412s_published_figure(
    as_of_2024_10_29: subprocess.CompletedProcess[str],
) -> None:
    done = as_of_2024_10_29
    assert (done.returncode, done.stderr) == (0, "")
    signoff, evidence = tables(done.stdout)
    header = next(line for line in done.stdout.splitlines() if line.startswith("| priority"))
    assert [c.strip() for c in header.strip("|").split("|")] == [*SIGNOFF_COLUMNS, "Total"]
    assert list(signoff) == ["1a", "1b", "2", "3", "Total"]
    assert signoff["1a"] == {
        "Fully Verified": 24,
        "Partially Verified": 2,
        "In Verification": 30,
        "Not Started": 0,
        "Descoped": 1,
        "Total": 57,
    }
    assert "the snapshot of 2024-10-29 (`results/signoff/2024-10-29.csv`)" in done.stdout
    assert list(evidence) == ["1a", "1b", "2", "3", "Total"]
    assert list(evidence["1a"]) == [*EVIDENCE_COLUMNS[1:], "Total"]


def test_every_table_adds_up(as_of_2024_10_29: subprocess.CompletedProcess[str]) -> None:
    for table in tables(as_of_2024_10_29.stdout):
        for label, row in table.items():
            assert row["Total"] == sum(v for k, v in row.items() if k != "Total"), label
        for column in table["Total"]:
            assert table["Total"][column] == sum(row[column] for label, row in table.items() if label != "Total")
        # Every DM requirement once: the catalogue's 239 (LSE-61 release 10.2.1).
        assert table["Total"]["Total"] == 239


def _p1a_requirements() -> set[str]:
    with (ROOT / "data/rubin/dms_requirements.csv").open(newline="", encoding="utf-8") as handle:
        return {row["id"] for row in csv.DictReader(handle) if row["priority"] == "1a"}


def test_evidence_reads_only_records_dated_on_or_before_the_day(
    as_of_2024_10_29: subprocess.CompletedProcess[str],
) -> None:
    """Later runs do not count: a P1a requirement is Fully Verified on 2024-10-29 no more often than today, and the
    undated campaign executions are said to be left out under the table."""
    _, evidence = tables(as_of_2024_10_29.stdout)
    _, today = tables(report().stdout)
    assert evidence["1a"]["Total"] == today["1a"]["Total"] == len(_p1a_requirements())
    assert evidence["1a"]["Fully Verified"] < today["1a"]["Fully Verified"]
    text = " ".join(as_of_2024_10_29.stdout.split())
    assert "The VCD (LDM-692) keeps only each test case's last run, so earlier runs are not in the data" in text
    assert "Undated records are not dated on or before 2024-10-29" in text


def test_as_of_comes_from_the_environment_as_make_report_passes_it() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^export TRACE_AS_OF\s*=\s*\$\(value AS_OF\)$", makefile, re.MULTILINE)
    assert "\nreport: $(STAMP)\n\t$(PY) scripts/report.py\n" in makefile
    by_variable = report(env={"TRACE_AS_OF": "2024-10-29"})
    assert by_variable.returncode == 0
    assert tables(by_variable.stdout)[0]["1a"]["Fully Verified"] == 24


def test_without_a_date_the_latest_snapshot_and_every_record() -> None:
    done = report()
    assert done.returncode == 0
    assert "# Verification of the DM requirements as of the latest records" in done.stdout
    assert "the snapshot of 2025-07-16" in done.stdout
    signoff, _ = tables(done.stdout)
    assert signoff["1a"]["Total"] == 57


@pytest.mark.parametrize("bad", ["2024-13-01", "29/10/2024", "20241029", "yesterday", "2024-02-30"])
def test_a_bad_date_is_one_clear_message_and_status_2(bad: str) -> None:
    for done in (report("--as-of", bad), report(env={"TRACE_AS_OF": bad})):
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.splitlines() == [
            f"report: error: AS_OF {bad!r} is not a date: write it YYYY-MM-DD, e.g. 2024-10-29"
        ]
        assert "Traceback" not in done.stderr
