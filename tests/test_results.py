"""Results import: pytest outcomes become test case results, and hostile results files cannot hurt the build."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import defusedxml.ElementTree
import pytest

from dmtrace.core.results import MAX_RESULTS_BYTES

if TYPE_CHECKING:
    from conftest import Site

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

GOOD_JUNIT = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" timestamp="2026-11-20T10:00:00+00:00">
<testcase classname="tests.test_a" name="test_one">
<properties><property name="test_case" value="LVV-T1" /></properties>
</testcase>
</testsuite></testsuites>
"""

XXE = """\
<?xml version="1.0"?>
<!DOCTYPE testsuites [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<testsuites><testsuite><testcase classname="t" name="x">
<properties><property name="test_case" value="&xxe;"/></properties>
</testcase></testsuite></testsuites>
"""

BILLION_LAUGHS = """\
<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<testsuites><testsuite><testcase classname="t" name="x">
<properties><property name="test_case" value="&lol9;"/></properties>
</testcase></testsuite></testsuites>
"""

EXTERNAL_DTD = """\
<?xml version="1.0"?>
<!DOCTYPE testsuites SYSTEM "http://localhost:9/junit.dtd">
<testsuites><testsuite name="pytest"/></testsuites>
"""

MALFORMED = """\
<testsuites>
<testsuite name="pytest">
<testcase classname="t" name="x">
</testsuite>
</testsuites>
"""

NOT_JUNIT = """\
<?xml version="1.0"?>
<html>
<body><p>not a test report</p></body>
</html>
"""

UNKNOWN_ID = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" timestamp="2026-11-20T10:00:00+00:00">
<testcase classname="tests.test_a" name="test_two">
<properties><property name="test_case" value="LVV-T404" /></properties>
</testcase>
</testsuite></testsuites>
"""

HUGE, FIFO = None, "<fifo>"
# (what is written: text, HUGE for the oversized file or FIFO for a named pipe; the exact line the check prints)
HOSTILE: dict[str, tuple[str | None, str]] = {
    "malformed": (
        MALFORMED,
        "results/bad.xml:4: error: results: malformed XML (mismatched tag); "
        "no results taken from this file [trace.results]",
    ),
    "xxe": (
        XXE,
        "results/bad.xml:3: error: results: refused: external entity 'xxe' (file:///etc/passwd) is "
        "declared; results files may not declare entities (XXE); no results taken from this file "
        "[trace.results]",
    ),
    "billion-laughs": (
        BILLION_LAUGHS,
        "results/bad.xml:3: error: results: refused: entity 'lol' is declared; "
        "results files may not declare entities (entity expansion); "
        "no results taken from this file [trace.results]",
    ),
    "external-dtd": (
        EXTERNAL_DTD,
        "results/bad.xml:2: error: results: refused: external reference to "
        "http://localhost:9/junit.dtd; results files may not load other resources; "
        "no results taken from this file [trace.results]",
    ),
    "huge": (
        HUGE,
        f"results/bad.xml:1: error: results: file is {MAX_RESULTS_BYTES + 1} bytes, over the "
        f"{MAX_RESULTS_BYTES}-byte limit; no results taken from this file [trace.results]",
    ),
    "not-junit": (
        NOT_JUNIT,
        "results/bad.xml:2: error: results: root element <html> is not <testsuites> or "
        "<testsuite>: not JUnit XML; no results taken from this file [trace.results]",
    ),
    "fifo": (
        FIFO,
        "results/bad.xml:1: error: results: not a regular file; no results taken from this file [trace.results]",
    ),  # reading it would block for ever
    "empty": (
        "",
        "results/bad.xml:1: error: results: malformed XML (no element found); "
        "no results taken from this file [trace.results]",
    ),
    "unknown-id": (
        UNKNOWN_ID,
        "results/bad.xml:3: error: LVV-T404: results name test case LVV-T404, "
        "which does not exist [trace.results-unknown-id]",
    ),
}


def write_hostile(site: Site, case: str, name: str = "results/bad.xml") -> None:
    text, _ = HOSTILE[case]
    path = site.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if text is HUGE:
        with path.open("wb") as handle:  # sparse: one byte over the limit costs no disk
            handle.truncate(MAX_RESULTS_BYTES + 1)
    elif text is FIFO:
        os.mkfifo(path)
    else:
        site.write(name, text)


@pytest.mark.verifies("TRACE-T-003")
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_results_file_gets_one_message_and_good_results_still_count(site: Site, case: str) -> None:
    site.write("needs/needs.md", NEEDS)
    site.write("results/good.xml", GOOD_JUNIT)
    write_hostile(site, case)

    # Strict: were good.xml lost, DMS-REQ-0001 would also be reported as not verified.
    run = site.check("--strict", "--results", "results/bad.xml", "results/good.xml")

    assert run.stderr.splitlines() == [HOSTILE[case][1]]
    assert run.returncode == 1
    assert run.stdout.startswith("traceability: 1 violation (2 needs,")
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.verifies("TRACE-T-004")
def test_sphinx_build_reports_every_hostile_file_and_keeps_the_good_results(site: Site) -> None:
    site.write("needs/needs.md", NEEDS)
    site.write("results/good.xml", GOOD_JUNIT)
    names = []
    for case in sorted(HOSTILE):
        write_hostile(site, case, f"results/{case}.xml")
        names.append(f"results/{case}.xml")

    run = site.build("-D", f"trace_results={','.join([*names, 'results/good.xml'])}")

    expected = sorted(line.replace("results/bad.xml", f"results/{case}.xml") for case, (_, line) in HOSTILE.items())
    reported = run.error_lines()
    assert reported == expected
    assert "Traceback" not in run.stdout + run.stderr
    assert run.returncode == 1
    test_case = site.needs()["LVV-T1"]
    assert (test_case["last_result"], test_case["last_run"], test_case["result_source"]) == (
        "passed",
        "2026-11-20 10:00",
        "results/good.xml",
    )
    assert site.needs()["DMS-REQ-0001"]["verification"] == "verified"
    assert "LVV-T1" in (site.root / "_build/html/needs/needs.html").read_text(encoding="utf-8")


def test_missing_results_file_is_reported_and_others_still_count(site: Site) -> None:
    site.write("needs/needs.md", NEEDS)
    site.write("results/good.xml", GOOD_JUNIT)

    run = site.check("--strict", "--results", "results/none.xml", "results/good.xml")

    assert run.stderr.splitlines() == ["results/none.xml:1: error: results: results file not found [trace.results]"]


CAMPAIGN_CSV = """\
test_case,last_run,status,source
LVV-T1,2019-05-22,Failed,LDM-692
LVV-T2,2019-05-22,Pass w/Deviation,LDM-692
LVV-T3,2019-05-22,Not Executed,LDM-692
LVV-T4,,Maybe,LDM-692
"""

CAMPAIGN_NEEDS = (
    NEEDS
    + """
```{test} Test two
:id: LVV-T2
:verifies: DMS-REQ-0001
```

```{test} Test three
:id: LVV-T3
:verifies: DMS-REQ-0001
```

```{test} Test four
:id: LVV-T4
:verifies: DMS-REQ-0001
```
"""
)


def test_campaign_csv_and_junit_share_one_status_model_and_the_newest_run_wins(site: Site) -> None:
    site.write("needs/needs.md", CAMPAIGN_NEEDS)
    site.write("results/campaign.csv", CAMPAIGN_CSV)
    site.write("results/good.xml", GOOD_JUNIT)  # LVV-T1 passed in 2026, after the 2019 campaign's failure

    run = site.build("-D", "trace_results=results/campaign.csv,results/good.xml")

    assert run.error_lines() == [
        "results/campaign.csv:5: error: LVV-T4: column status: unknown result 'Maybe' [trace.results]"
    ]
    needs = site.needs()
    assert {
        i: (needs[i]["last_result"], needs[i]["last_run"], needs[i]["result_source"])
        for i in ("LVV-T1", "LVV-T2", "LVV-T3")
    } == {
        "LVV-T1": ("passed", "2026-11-20 10:00", "results/good.xml"),
        "LVV-T2": ("passed with deviation", "2019-05-22", "results/campaign.csv"),
        "LVV-T3": ("not run", "2019-05-22", "results/campaign.csv"),
    }
    assert (needs["LVV-T4"]["last_result"], needs["LVV-T4"]["last_run"]) == ("not run", None)  # in no file
    assert needs["DMS-REQ-0001"]["verification"] == "partially run"


# --- a real pytest run, its JUnit XML, and the site built from it -------------------------------------------

OUTCOME_TESTS = """\
import pytest


@pytest.fixture
def broken():
    raise RuntimeError("fixture fails")


@pytest.mark.verifies("LVV-T1")
def test_passes():
    pass


@pytest.mark.verifies("LVV-T2", "LVV-T6")
def test_fails():
    assert False


@pytest.mark.verifies("LVV-T3")
def test_skipped():
    pytest.skip("not here")


@pytest.mark.verifies("LVV-T4")
def test_errors(broken):
    pass


@pytest.mark.verifies("LVV-T5")
@pytest.mark.xfail(reason="known bug")
def test_expected_failure():
    assert False


@pytest.mark.verifies("LVV-T6")
def test_also_passes():
    pass
"""


def _requirement(need_id: str, priority: str, refines: str = "") -> str:
    extra = f":refines: {refines}\n" if refines else ""
    kind = "subreq" if refines else "req"
    return f"```{{{kind}}} {need_id}\n:id: {need_id}\n:priority: {priority}\n{extra}```\n\n"


def _test(need_id: str, verifies: str) -> str:
    return f"```{{test}} {need_id}\n:id: {need_id}\n:verifies: {verifies}\n```\n\n"


# Outcomes: T1 passed, T2 failed, T3 skipped, T4 error, T5 xfail, T6 one of two tests failed, T7 never run,
# T8 passed in the campaign CSV. Subreqs refine the requirement their id starts with.
ROLLUP_NEEDS = "# Rollups\n\n" + "".join(
    [
        _requirement("DMS-REQ-0001", "1a"),
        _requirement("DMS-REQ-0002", "1a"),
        _requirement("DMS-REQ-0003", "1b"),
        _requirement("DMS-REQ-0004", "1a"),
        _requirement("DMS-REQ-0005", "1a"),
        _requirement("DMS-REQ-0005-V-01", "1a", "DMS-REQ-0005"),
        _requirement("DMS-REQ-0005-V-02", "1a", "DMS-REQ-0005"),
        _requirement("DMS-REQ-0006", "1a"),
        _requirement("DMS-REQ-0006-V-01", "1a", "DMS-REQ-0006"),
        _requirement("DMS-REQ-0006-V-02", "2", "DMS-REQ-0006"),
        _requirement("DMS-REQ-0007", "1a"),
        _requirement("DMS-REQ-0007-V-01", "1a", "DMS-REQ-0007"),
        _requirement("DMS-REQ-0007-V-02", "1a", "DMS-REQ-0007"),
        _requirement("DMS-REQ-0008", "1a"),
        _requirement("DMS-REQ-0008-V-01", "1a", "DMS-REQ-0008"),
        _requirement("DMS-REQ-0008-V-02", "1a", "DMS-REQ-0008"),
        _requirement("DMS-REQ-0009", "2"),
        _test(
            "LVV-T1",
            "DMS-REQ-0001, DMS-REQ-0002, DMS-REQ-0004, DMS-REQ-0005-V-01, DMS-REQ-0006-V-01, DMS-REQ-0008-V-01",
        ),
        _test("LVV-T2", "DMS-REQ-0002"),
        _test("LVV-T3", "DMS-REQ-0003, DMS-REQ-0008-V-02"),
        _test("LVV-T4", "DMS-REQ-0006-V-02, DMS-REQ-0007-V-01"),
        _test("LVV-T5", "DMS-REQ-0003"),
        _test("LVV-T6", "DMS-REQ-0002"),
        _test("LVV-T7", "DMS-REQ-0004, DMS-REQ-0007-V-02"),
        _test("LVV-T8", "DMS-REQ-0005-V-02"),
    ]
)


@pytest.fixture(scope="module")
def pytest_site(site_factory: Callable[[str], Site]) -> tuple[Site, str]:
    """A site whose results come from a real pytest run: (site, the run's timestamp as the site shows it)."""
    site = site_factory("outcomes")
    site.write("needs/rollups.md", ROLLUP_NEEDS)
    site.write("tests/test_outcomes.py", OUTCOME_TESTS)
    site.write("results/campaign.csv", "test_case,last_run,status,source\nLVV-T8,2019-05-22,Passed,LDM-692\n")

    run = site.pytest("--junitxml=results/pytest.xml", "tests")
    assert run.returncode == 1, run.stdout  # one test fails, one errors
    build = site.build("-D", "trace_results=results/pytest.xml,results/campaign.csv")
    assert build.returncode == 0, build.stderr
    suite = defusedxml.ElementTree.parse(site.root / "results/pytest.xml").getroot().find("testsuite")
    stamp = suite.get("timestamp")  # e.g. 2026-11-25T15:40:12.345+00:00, written in UTC by pytest
    return site, f"{stamp[:10]} {stamp[11:16]}"


@pytest.mark.verifies("TRACE-T-005")
def test_pytest_outcomes_map_to_test_case_results_with_this_runs_time_and_file(pytest_site: tuple[Site, str]) -> None:
    site, stamp = pytest_site
    needs = site.needs()

    assert {
        i: needs[i]["last_result"] for i in ("LVV-T1", "LVV-T2", "LVV-T3", "LVV-T4", "LVV-T5", "LVV-T6", "LVV-T7")
    } == {
        "LVV-T1": "passed",
        "LVV-T2": "failed",
        "LVV-T3": "skipped",
        "LVV-T4": "error",
        "LVV-T5": "skipped",  # xfail: JUnit records it as skipped
        "LVV-T6": "failed",  # one of its two tests failed: the worst outcome of the run decides
        "LVV-T7": "not run",  # no test ran it
    }
    for need_id in ("LVV-T1", "LVV-T2", "LVV-T3", "LVV-T4", "LVV-T5", "LVV-T6"):
        assert (needs[need_id]["last_run"], needs[need_id]["result_source"]) == (stamp, "results/pytest.xml")
    page = (site.root / "_build/html/needs/rollups.html").read_text(encoding="utf-8")
    assert stamp in page


@pytest.mark.verifies("TRACE-T-006")
def test_requirement_status_rolls_up_from_tests_and_relevant_children(pytest_site: tuple[Site, str]) -> None:
    site, _ = pytest_site
    needs = site.needs()

    assert {i: (needs[i]["trace"], needs[i]["verification"]) for i in sorted(needs) if i.startswith("DMS")} == {
        "DMS-REQ-0001": ("traced directly", "verified"),
        "DMS-REQ-0002": ("traced directly", "failing"),  # LVV-T1 passed, LVV-T2 and LVV-T6 failed
        "DMS-REQ-0003": ("traced directly", "not run"),  # skipped and xfail only
        "DMS-REQ-0004": ("traced directly", "partially run"),  # LVV-T1 passed, LVV-T7 never ran
        "DMS-REQ-0005": ("traced by children", "verified"),  # every child verified, by pytest or the campaign
        "DMS-REQ-0005-V-01": ("traced directly", "verified"),
        "DMS-REQ-0005-V-02": ("traced directly", "verified"),
        "DMS-REQ-0006": ("traced by children", "verified"),  # the failing V-02 is priority 2: not relevant to 1a
        "DMS-REQ-0006-V-01": ("traced directly", "verified"),
        "DMS-REQ-0006-V-02": ("traced directly", "failing"),
        "DMS-REQ-0007": ("traced by children", "failing"),  # V-01 errored, V-02 never ran
        "DMS-REQ-0007-V-01": ("traced directly", "failing"),
        "DMS-REQ-0007-V-02": ("traced directly", "not run"),
        "DMS-REQ-0008": ("traced by children", "partially run"),  # V-01 verified, V-02 only skipped
        "DMS-REQ-0008-V-01": ("traced directly", "verified"),
        "DMS-REQ-0008-V-02": ("traced directly", "not run"),
        "DMS-REQ-0009": ("untraced", "untraced"),
    }


SECOND_JUNIT = GOOD_JUNIT.replace("LVV-T1", "LVV-T2").replace("test_one", "test_two")
STALE_JUNIT = GOOD_JUNIT.replace("2026-11-20", "2026-11-21").replace(
    "</testcase>", "<failure message='stale' /></testcase>"
)


@pytest.mark.verifies("TRACE-T-013")
def test_make_passes_results_to_sphinx_and_check(site: Site) -> None:
    site.write("needs/needs.md", CAMPAIGN_NEEDS.split("```{test} Test three")[0])
    site.write("results/a.xml", GOOD_JUNIT)
    site.write("results/b.xml", SECOND_JUNIT)
    # conf.py's own results, newer and failing: RESULTS must replace them, not add to them
    site.write("results/conf.xml", STALE_JUNIT)
    site.configure(results=["results/conf.xml"])

    configured = site.make("check", STRICT="1")
    check = site.make("check", RESULTS="results/a.xml results/b.xml", STRICT="1")
    html = site.make("html", RESULTS="results/a.xml results/b.xml")

    assert configured.error_lines() == [
        "needs/needs.md:3: error: DMS-REQ-0001: DMS-REQ-0001 (priority 1a) has failing tests: LVV-T1 [trace.failing]"
    ]
    assert (check.returncode, check.stderr) == (0, "")
    assert check.stdout.splitlines()[-1].startswith("traceability: all rules pass (3 needs, ")
    assert html.returncode == 0, html.stderr
    needs = site.needs()
    assert {i: (needs[i]["last_result"], needs[i]["result_source"]) for i in ("LVV-T1", "LVV-T2")} == {
        "LVV-T1": ("passed", "results/a.xml"),
        "LVV-T2": ("passed", "results/b.xml"),
    }
