"""Results dates: every date is read as one UTC instant and runs are ordered by it, never by its text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dmtrace.core.evaluation import evaluate, evaluate_results
from dmtrace.core.model import IdOccurrence, Need
from dmtrace.core.outcomes import Outcome
from dmtrace.core.results import ResultSet, load_results

if TYPE_CHECKING:
    from conftest import Site

HEADER = "test_case,last_run,status,source\n"
FORMS = "YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.ffffff]] with an optional Z or ±HH:MM"


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def junit(timestamp: str, test_case: str = "LVV-T1", failed: bool = False) -> str:
    failure = "<failure message='boom' />" if failed else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<testsuites>\n"
        f'<testsuite name="pytest" timestamp="{timestamp}">\n'
        '<testcase classname="tests.test_a" name="test_one">\n'
        f'<properties><property name="test_case" value="{test_case}" /></properties>{failure}\n'
        "</testcase>\n"
        "</testsuite>\n"
        "</testsuites>\n"
    )


def problems(results: ResultSet) -> list[tuple[str, int, str, str, str]]:
    return [(p.file, p.line, p.need_id, p.message, p.rule) for p in results.problems]


def test_basic_format_date_is_refused_with_its_line_and_the_later_failure_decides(tmp_path: Path) -> None:
    # As text '20240101' sorts after '2024-06-30' ('0' > '-'): the January pass used to hide the June failure.
    write(tmp_path, "results/campaign.csv", HEADER + "LVV-T1,20240101,Passed,VCD\nLVV-T1,2024-06-30,Failed,VCD\n")

    results = evaluate_results(tmp_path, ["results/campaign.csv"])

    latest = results.latest()["LVV-T1"]
    assert (latest.outcome, latest.when, latest.source) == (Outcome.FAILED, "2024-06-30", "results/campaign.csv")
    assert problems(results) == [
        (
            "results/campaign.csv",
            2,
            "LVV-T1",
            f"column last_run: '20240101' is not an ISO 8601 date ({FORMS})",
            "trace.results",
        )
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2024-13-01", "is not a valid date or time"),
        ("2024-02-30", "is not a valid date or time"),
        ("0000-01-01", "is not a valid date or time"),
        ("yesterday", "is not an ISO 8601 date"),
        ("2024-06-30 10:00", "is not an ISO 8601 date"),  # the pages' own form, not one a results file may use
        ("2024-06-30T10:00+0200", "is not an ISO 8601 date"),
    ],
)
def test_unreadable_last_run_gets_one_located_message_naming_the_forms_and_decides_nothing(
    tmp_path: Path, value: str, reason: str
) -> None:
    write(tmp_path, "r.csv", HEADER + f"LVV-T1,2019-05-22,Failed,VCD\nLVV-T1,{value},Passed,VCD\n")

    results = load_results([tmp_path / "r.csv"], tmp_path)

    assert results.latest()["LVV-T1"].outcome is Outcome.FAILED  # the 2019 failure: the unreadable pass is not taken
    assert problems(results) == [
        ("r.csv", 3, "LVV-T1", f"column last_run: {value!r} {reason} ({FORMS})", "trace.results")
    ]


@pytest.mark.parametrize("order", ["passed first", "failed first"])
def test_offsets_are_compared_as_instants(tmp_path: Path, order: str) -> None:
    # 10:00+02:00 is 08:00 UTC, earlier than 09:30Z although its text sorts later.
    rows = ["LVV-T1,2024-06-30T10:00:00+02:00,Passed,VCD\n", "LVV-T1,2024-06-30T09:30:00Z,Failed,VCD\n"]
    write(tmp_path, "r.csv", HEADER + "".join(rows if order == "passed first" else rows[::-1]))

    results = load_results([tmp_path / "r.csv"], tmp_path)

    latest = results.latest()["LVV-T1"]
    assert (latest.outcome, latest.when) == (Outcome.FAILED, "2024-06-30T09:30:00Z")  # shown as written
    assert results.problems == []


def test_far_dates_neither_crash_nor_misorder(tmp_path: Path) -> None:
    write(
        tmp_path,
        "r.csv",
        HEADER
        + "LVV-T1,9999-12-31,Passed,far\n"
        + "LVV-T1,0001-01-01,Failed,far\n"
        + "LVV-T2,0001-01-01T00:30:00+02:00,Passed,far\n"  # 0000-12-31T22:30Z: before year 1 in UTC
        + "LVV-T2,0001-01-01,Failed,far\n"
        + "LVV-T3,9999-12-31T23:30:00-02:00,Failed,far\n"  # 10000-01-01T01:30Z: after year 9999 in UTC
        + "LVV-T3,9999-12-31T23:59:59.999999Z,Passed,far\n"
        + "LVV-T4,0001-01-01T00:30:00-02:00,Passed,far\n"  # 0001-01-01T02:30Z, later than the start of year 1
        + "LVV-T4,0001-01-01,Failed,far\n",
    )

    results = load_results([tmp_path / "r.csv"], tmp_path)

    assert {i: (r.outcome, r.when) for i, r in results.latest().items()} == {
        "LVV-T1": (Outcome.PASSED, "9999-12-31"),
        "LVV-T2": (Outcome.FAILED, "0001-01-01"),
        "LVV-T3": (Outcome.PASSED, "9999-12-31T23:59:59.999999Z"),
        "LVV-T4": (Outcome.PASSED, "0001-01-01T00:30:00-02:00"),
    }
    assert problems(results) == [
        (
            "r.csv",
            4,
            "LVV-T2",
            "column last_run: '0001-01-01T00:30:00+02:00' falls outside the years 0001 to 9999 once converted to UTC",
            "trace.results",
        ),
        (
            "r.csv",
            6,
            "LVV-T3",
            "column last_run: '9999-12-31T23:30:00-02:00' falls outside the years 0001 to 9999 once converted to UTC",
            "trace.results",
        ),
    ]


def test_far_junit_timestamps_neither_crash_nor_lose_their_leading_zeros(tmp_path: Path) -> None:
    write(tmp_path, "early.xml", junit("0001-01-01T05:00:00+02:00", "LVV-T1"))
    write(tmp_path, "late.xml", junit("9999-12-31T23:00:00-02:00", "LVV-T2"))

    results = load_results([tmp_path / "early.xml", tmp_path / "late.xml"], tmp_path)

    assert {i: (r.outcome, r.when, r.source) for i, r in results.latest().items()} == {
        "LVV-T1": (Outcome.PASSED, "0001-01-01 03:00", "early.xml"),
    }
    assert problems(results) == [
        (
            "late.xml",
            3,
            "results",
            "testsuite timestamp: '9999-12-31T23:00:00-02:00' falls outside the years 0001 to 9999 once converted to "
            "UTC; no results taken from this test suite",
            "trace.results",
        )
    ]


@pytest.mark.parametrize(
    ("timestamp", "junit_failed", "csv_row", "expected"),
    [
        # JUnit 11:30+02:00 = 09:30Z, after the CSV's 10:00+02:00 = 08:00Z: the JUnit failure decides.
        (
            "2024-06-30T11:30:00+02:00",
            True,
            "LVV-T1,2024-06-30T10:00:00+02:00,Passed,VCD",
            (Outcome.FAILED, "2024-06-30 09:30", "results/run.xml"),
        ),
        # CSV 12:00+05:00 = 07:00Z, before the JUnit 10:00+02:00 = 08:00Z: the JUnit pass decides.
        (
            "2024-06-30T10:00:00+02:00",
            False,
            "LVV-T1,2024-06-30T12:00:00+05:00,Failed,VCD",
            (Outcome.PASSED, "2024-06-30 08:00", "results/run.xml"),
        ),
        # JUnit 01:00+02:00 on July 1st = June 30th 23:00Z, after the CSV's 23:30+02:00 = 21:30Z: JUnit decides.
        (
            "2024-07-01T01:00:00+02:00",
            True,
            "LVV-T1,2024-06-30T23:30:00+02:00,Passed,VCD",
            (Outcome.FAILED, "2024-06-30 23:00", "results/run.xml"),
        ),
    ],
)
def test_junit_timestamp_with_offset_is_compared_with_a_csv_date_as_an_instant(
    tmp_path: Path, timestamp: str, junit_failed: bool, csv_row: str, expected: tuple[Outcome, str, str]
) -> None:
    write(tmp_path, "results/campaign.csv", HEADER + csv_row + "\n")
    write(tmp_path, "results/run.xml", junit(timestamp, failed=junit_failed))

    for names in (["results/campaign.csv", "results/run.xml"], ["results/run.xml", "results/campaign.csv"]):
        results = evaluate_results(tmp_path, names)
        latest = results.latest()["LVV-T1"]
        assert (latest.outcome, latest.when, latest.source) == expected, names
        assert results.problems == []


def test_unreadable_junit_timestamp_is_refused_at_its_testsuite_and_its_cases_decide_nothing(tmp_path: Path) -> None:
    # fromisoformat read '20240601' as June 1st: now a refused basic-format date, not a pass newer than May's failure.
    write(tmp_path, "results/campaign.csv", HEADER + "LVV-T1,2024-05-01,Failed,VCD\n")
    write(tmp_path, "results/run.xml", junit("20240601"))

    results = evaluate_results(tmp_path, ["results/campaign.csv", "results/run.xml"])

    latest = results.latest()["LVV-T1"]
    assert (latest.outcome, latest.source) == (Outcome.FAILED, "results/campaign.csv")
    assert problems(results) == [
        (
            "results/run.xml",
            3,
            "results",
            f"testsuite timestamp: '20240601' is not an ISO 8601 date ({FORMS}); no results taken from this test suite",
            "trace.results",
        )
    ]


def test_strict_evaluation_sees_the_later_failure(tmp_path: Path) -> None:
    write(tmp_path, "r.csv", HEADER + "LVV-T1,20240101,Passed,VCD\nLVV-T1,2024-06-30,Failed,VCD\n")
    req = Need("DMS-REQ-0001", "req", "Requirement", "needs/needs.md", 3, {"priority": "1a"}, {})
    test = Need("LVV-T1", "test", "Test", "needs/needs.md", 8, {}, {"verifies": ["DMS-REQ-0001"]})
    occurrences = [IdOccurrence(n.id, n.type, n.file, n.line) for n in (req, test)]

    evaluation = evaluate({n.id: n for n in (req, test)}, occurrences, evaluate_results(tmp_path, ["r.csv"]), True)

    assert sorted((v.file, v.line, v.need_id, v.rule) for v in evaluation.violations) == [
        ("needs/needs.md", 3, "DMS-REQ-0001", "trace.failing"),
        ("r.csv", 2, "LVV-T1", "trace.results"),
    ]


NEEDS = """\
# Needs

```{req} Requirement
:id: DMS-REQ-0001
:priority: 1a
```

```{test} Test
:id: LVV-T1
:verifies: DMS-REQ-0001
```
"""


def test_strict_check_reports_the_failing_requirement_and_the_unreadable_date(site: Site) -> None:
    site.write("needs/needs.md", NEEDS)
    site.write("results/campaign.csv", HEADER + "LVV-T1,20240101,Passed,VCD\nLVV-T1,2024-06-30,Failed,VCD\n")

    run = site.check("--strict", "--results", "results/campaign.csv")

    assert sorted(run.stderr.splitlines()) == [
        "needs/needs.md:3: error: DMS-REQ-0001: DMS-REQ-0001 (priority 1a) has failing tests: LVV-T1 [trace.failing]",
        f"results/campaign.csv:2: error: LVV-T1: column last_run: '20240101' is not an ISO 8601 date ({FORMS}) "
        "[trace.results]",
    ]
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr


def test_an_undated_campaign_execution_never_overrides_the_vcds_undated_last_run(tmp_path: Path) -> None:
    """Both undated, in one file, the campaign's Fail after the VCD's pass: the VCD's last run still decides."""
    results = tmp_path / "r.csv"
    results.write_text(
        "test_case,last_run,status,source,execution,plan,cycle,report\n"
        "LVV-T1,,Passed,LDM-692 VCD,,,,LDM-692\n"
        "LVV-T1,,Fail,DMTR-412,LVV-E1,LVV-P117,LVV-R275,DMTR-412\n"
    )
    latest = load_results([results], tmp_path).latest()["LVV-T1"]
    assert (latest.outcome, latest.provenance.report) == (Outcome.PASSED, "LDM-692")
