"""The pytest plugin: markers and `pytest` fields against the site's test cases, JUnit properties, `make test`."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import defusedxml.ElementTree
import pytest

if TYPE_CHECKING:
    from conftest import Run, Site

REPO = Path(__file__).resolve().parent.parent

NEEDS = """\
# Needs

```{req} Requirement
:id: DMS-REQ-0001
:priority: 2
```

```{test} Marked test case
:id: LVV-T1
:verifies: DMS-REQ-0001
```

```{test} Test case naming its pytest nodes
:id: LVV-T2
:verifies: DMS-REQ-0001
:pytest: tests/test_a.py::test_by_field tests/test_a.py::test_param
```
"""

LINKED_TESTS = """\
import pytest


@pytest.mark.verifies("LVV-T1", "LVV-T2")
def test_marked():
    pass


def test_by_field():
    pass


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    pass


def test_plain():
    pass


@pytest.mark.verifies("LVV-T1")
class TestGroup:
    def test_in_class(self):
        pass
"""


def junit_properties(site: Site, name: str) -> dict[str, list[tuple[str, str]]]:
    """Per <testcase> (by its nodeid property), the properties the plugin wrote."""
    root = defusedxml.ElementTree.parse(site.root / name).getroot()
    found = {}
    for case in root.iter("testcase"):
        properties = [(p.get("name"), p.get("value")) for p in case.iter("property")]
        node = dict(properties)["nodeid"]
        found[node] = properties
    return found


@pytest.mark.verifies("TRACE-T-007")
def test_marker_and_pytest_field_become_junit_properties_without_warnings(site: Site) -> None:
    site.write("needs/needs.md", NEEDS)
    site.write("tests/test_a.py", LINKED_TESTS)

    run = site.pytest("-W", "error", "--junitxml=results/pytest.xml")

    assert run.returncode == 0, run.stdout + run.stderr
    assert "warning" not in run.stdout.lower()  # no record_property / xunit2 warning, no missing node
    assert junit_properties(site, "results/pytest.xml") == {
        "tests/test_a.py::test_marked": [
            ("test_case", "LVV-T1"),
            ("test_case", "LVV-T2"),
            ("nodeid", "tests/test_a.py::test_marked"),
        ],
        "tests/test_a.py::test_by_field": [("test_case", "LVV-T2"), ("nodeid", "tests/test_a.py::test_by_field")],
        "tests/test_a.py::test_param[1]": [("test_case", "LVV-T2"), ("nodeid", "tests/test_a.py::test_param[1]")],
        "tests/test_a.py::test_param[2]": [("test_case", "LVV-T2"), ("nodeid", "tests/test_a.py::test_param[2]")],
        "tests/test_a.py::test_plain": [("nodeid", "tests/test_a.py::test_plain")],
        "tests/test_a.py::TestGroup::test_in_class": [
            ("test_case", "LVV-T1"),
            ("nodeid", "tests/test_a.py::TestGroup::test_in_class"),
        ],
    }


BAD_MARKERS = """\
import pytest


@pytest.mark.verifies("LVV-T404")
def test_unknown():
    pass


@pytest.mark.verifies("LVV-T1", "DMS-REQ-0001")
@pytest.mark.parametrize("n", [1, 2])
def test_requirement(n):
    pass


@pytest.mark.verifies(12)
def test_number():
    pass


@pytest.mark.verifies()
def test_empty():
    pass


@pytest.mark.verifies("LVV-T1")
def test_fine():
    pass
"""


@pytest.mark.verifies("TRACE-T-008")
def test_marker_naming_an_unknown_id_fails_collection(site: Site) -> None:
    site.write("needs/needs.md", NEEDS)
    site.write("tests/test_a.py", BAD_MARKERS)

    run = site.pytest("--junitxml=results/pytest.xml")

    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert run.stderr.splitlines() == [
        "ERROR: traceability: the tests do not match the site's test cases",
        f"tests/test_a.py:4: error: LVV-T404: @pytest.mark.verifies on tests/test_a.py::test_unknown names "
        f"LVV-T404, which is not a need of the site under {site.root} [trace.pytest-unknown-id]",
        "tests/test_a.py:9: error: DMS-REQ-0001: @pytest.mark.verifies on tests/test_a.py::test_requirement names "
        "DMS-REQ-0001, which is a req, not a test case [trace.pytest-unknown-id]",
        "tests/test_a.py:15: error: tests/test_a.py::test_number: @pytest.mark.verifies takes test case ids as "
        "strings, not 12 [trace.pytest-marker]",
        "tests/test_a.py:20: error: tests/test_a.py::test_empty: @pytest.mark.verifies takes one or more test case "
        "ids as strings, and nothing else [trace.pytest-marker]",
        "",
    ]
    assert "no tests ran" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


MISSING_NODE_NEEDS = """\
# Needs

```{req} Requirement
:id: DMS-REQ-0001
:priority: 2
```

```{test} Test case
:id: LVV-T1
:verifies: DMS-REQ-0001
:pytest: tests/test_a.py::test_here tests/test_a.py::test_gone
```
"""


@pytest.mark.verifies("TRACE-T-009")
def test_missing_pytest_node_warns_and_fails_in_strict_mode(site: Site) -> None:
    site.write("needs/needs.md", MISSING_NODE_NEEDS)
    site.write("tests/test_a.py", "def test_here():\n    pass\n\n\ndef test_other():\n    pass\n")
    site.write("tests/test_b.py", "def test_b():\n    pass\n")
    warning = (
        "needs/needs.md:8: warning: LVV-T1: pytest node tests/test_a.py::test_gone is not in the collected "
        "suite [trace.pytest-missing]"
    )

    whole = site.pytest()
    deselected = site.pytest("-k", "test_other")  # test_here is deselected, but it exists
    other_file = site.pytest("tests/test_b.py")  # a run of another file cannot judge test_a.py
    strict = site.pytest("--trace-strict")
    site.configure(strict=True)
    strict_by_conf = site.pytest()

    assert (whole.returncode, [line for line in whole.stdout.splitlines() if "warning:" in line]) == (0, [warning])
    assert [line for line in deselected.stdout.splitlines() if "warning:" in line] == [warning]
    assert (other_file.returncode, "warning:" in other_file.stdout) == (0, False)
    for run in (strict, strict_by_conf):
        assert run.returncode == pytest.ExitCode.USAGE_ERROR
        assert run.stderr.splitlines()[1:] == [warning.replace(": warning: ", ": error: "), ""]


@pytest.mark.verifies("TRACE-T-010")
def test_site_notes_pytest_nodes_absent_from_the_junit_files(site: Site) -> None:
    site.write("needs/needs.md", MISSING_NODE_NEEDS)
    site.write("tests/test_a.py", "import pytest\n\n\n@pytest.mark.verifies('LVV-T1')\ndef test_here():\n    pass\n")
    site.write("results/campaign.csv", "test_case,last_run,status,source\nLVV-T1,2019-05-22,Passed,LDM-692\n")
    assert site.pytest("--junitxml=results/pytest.xml").returncode == 0
    with_junit = "trace_results=results/campaign.csv,results/pytest.xml"
    error = (
        "needs/needs.md:8: error: LVV-T1: pytest node tests/test_a.py::test_gone ran in none of the loaded "
        "JUnit files (results/pytest.xml) [trace.pytest-missing]"
    )

    noted = site.build("-D", with_junit)
    noted_needs = site.needs()
    csv_only = site.build("-D", "trace_results=results/campaign.csv")
    csv_only_needs = site.needs()
    strict_build = site.build("-D", with_junit, "-D", "trace_strict=1")
    strict_check = site.check("--strict", "--results", "results/campaign.csv", "results/pytest.xml")

    assert noted.returncode == 0, noted.stderr
    assert noted_needs["LVV-T1"]["pytest_missing"] == "tests/test_a.py::test_gone"
    assert noted_needs["LVV-T1"]["last_result"] == "passed"
    assert csv_only.returncode == 0, csv_only.stderr
    assert csv_only_needs["LVV-T1"]["pytest_missing"] is None  # no JUnit file: nothing to judge by
    assert strict_build.returncode == 1
    assert strict_build.error_lines() == [error]
    assert (strict_check.returncode, strict_check.stderr.splitlines()) == (1, [error])


RUN_NEEDS = """\
# Needs

```{req} Requirement
:id: DMS-REQ-0001
:priority: 1a
```

```{test} Test case
:id: LVV-T1
:verifies: DMS-REQ-0001
```
"""

PASSING = "import pytest\n\n\n@pytest.mark.verifies('LVV-T1')\ndef test_one():\n    pass\n"


def run_tests(site: Site) -> Run:
    return site.run(str(REPO / "scripts" / "run_tests.py"), "--root", str(site.root), "-p", "no:cacheprovider")


def junit_time(site: Site) -> str:
    suite = defusedxml.ElementTree.parse(site.root / "_build/results/pytest.xml").getroot().find("testsuite")
    stamp = suite.get("timestamp")
    return f"{stamp[:10]} {stamp[11:16]}"


@pytest.mark.verifies("TRACE-T-012")
def test_run_tests_builds_the_site_with_this_runs_results(site: Site) -> None:
    site.write("needs/needs.md", RUN_NEEDS)
    site.use_pytest()
    site.write("tests/test_a.py", PASSING)

    passed = run_tests(site)
    passed_need = site.needs()["LVV-T1"]
    passed_time = junit_time(site)
    site.write("tests/test_a.py", PASSING.replace("pass\n", "assert False\n"))
    failed = run_tests(site)  # an incremental build, only the results changed: the page must change
    failed_need = site.needs()["LVV-T1"]
    failed_time = junit_time(site)
    failed_page = (site.root / "_build/html/needs/needs.html").read_text(encoding="utf-8")
    site.write("tests/test_a.py", "")
    none = run_tests(site)

    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.splitlines()[-2:] == [
        "site: built with results _build/results/pytest.xml (exit 0)",
        "summary: 1 passed, 0 failed, 0 skipped",
    ]
    assert (passed_need["last_result"], passed_need["last_run"], passed_need["result_source"]) == (
        "passed",
        passed_time,
        "_build/results/pytest.xml",
    )
    assert failed.returncode == 1
    assert failed.stdout.splitlines()[-2:] == [
        "site: built with results _build/results/pytest.xml (exit 0)",
        "summary: 0 passed, 1 failed, 0 skipped",
    ]
    assert (failed_need["last_result"], failed_need["last_run"]) == ("failed", failed_time)
    assert "failed" in failed_page and "passed" not in failed_page
    assert none.returncode == 1
    assert none.stdout.splitlines()[-1] == "pytest: no tests collected (exit 5): counted as a failure"


def test_plugin_is_declared_as_a_pytest_entry_point() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["pytest11"] == {"trace": "dmtrace.pytest_plugin.plugin"}
    assert (
        sys.modules.get("dmtrace.pytest_plugin.plugin") is not None
    )  # this very run loaded it (conftest or entry point)


def test_a_site_conf_py_that_is_not_literal_stops_the_run_with_one_message(site: Site) -> None:
    site.write("needs/needs.md", NEEDS)
    site.write("tests/test_a.py", LINKED_TESTS)
    with (site.root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write("trace_strict = bool(1)\n")
    run = site.pytest()
    assert run.returncode == 4, run.stdout + run.stderr
    assert "traceability: cannot read the site's needs: " in run.stderr
    assert "trace_strict must be a literal value" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr
