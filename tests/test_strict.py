"""Strict mode and the P1a rules, through `make check` and `make html` on real sites; configured id patterns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Site

P1A_NEEDS = """\
# Needs

```{req} Needed first
:id: DMS-REQ-0001
:priority: 1a
```

```{test} Test case
:id: LVV-T1
:verifies: DMS-REQ-0001
```

```{req} Needed later
:id: DMS-REQ-0002
:priority: 2
```
"""

FAILING_TEST = """\
import pytest


@pytest.mark.verifies("LVV-T1")
def test_one():
    assert 1 + 1 == 3
"""


@pytest.mark.verifies("TRACE-T-001")
def test_untraced_p1a_requirement_fails_check_and_build(site: Site) -> None:
    site.write("needs/needs.md", P1A_NEEDS.replace(":verifies: DMS-REQ-0001", ":verifies: DMS-REQ-0002"))
    expected = [
        "needs/needs.md:3: error: DMS-REQ-0001: DMS-REQ-0001 (priority 1a) has no verifying test and no "
        "P1a children [trace.untraced]"
    ]  # DMS-REQ-0002 is untraced too, but only priority 2

    check = site.make("check")
    html = site.make("html")

    assert (check.returncode, check.error_lines()) == (2, expected)  # make's own exit code for a failed command
    assert (html.returncode, html.error_lines()) == (2, expected)
    assert "Traceback" not in check.stderr + html.stderr


@pytest.mark.verifies("TRACE-T-002", "TRACE-T-011")
def test_failing_p1a_test_fails_strict_check_and_build(site: Site) -> None:
    site.write("needs/needs.md", P1A_NEEDS)
    site.write("tests/test_one.py", FAILING_TEST)
    assert site.pytest("--junitxml=results/pytest.xml").returncode == 1
    expected = [
        "needs/needs.md:3: error: DMS-REQ-0001: DMS-REQ-0001 (priority 1a) has failing tests: LVV-T1 [trace.failing]"
    ]

    check = site.make("check", RESULTS="results/pytest.xml")
    strict_check = site.make("check", RESULTS="results/pytest.xml", STRICT="1")
    html = site.make("html", RESULTS="results/pytest.xml")
    html_needs = site.needs()
    strict_html = site.make("html", RESULTS="results/pytest.xml", STRICT="1")
    site.configure(results=["results/pytest.xml"], strict=True)
    strict_by_conf = site.check()

    assert (check.returncode, check.error_lines()) == (0, [])
    assert (html.returncode, html.error_lines()) == (0, [])
    assert html_needs["DMS-REQ-0001"]["verification"] == "failing"
    assert html_needs["LVV-T1"]["last_result"] == "failed"
    assert (strict_check.returncode, strict_check.error_lines()) == (2, expected)
    assert (strict_html.returncode, strict_html.error_lines()) == (2, expected)
    assert (strict_by_conf.returncode, strict_by_conf.stderr.splitlines()) == (1, expected)


def test_strict_mode_requires_p1a_items_to_be_verified_not_only_traced(site: Site) -> None:
    site.write("needs/needs.md", P1A_NEEDS)

    run = site.check("--strict")

    assert (run.returncode, run.stderr.splitlines()) == (
        1,
        [
            "needs/needs.md:3: error: DMS-REQ-0001: DMS-REQ-0001 (priority 1a) is not verified (not run) "
            "[trace.unverified]"
        ],
    )


PATTERN_NEEDS = """\
# Needs

```{req} The project's own requirement
:id: TRACE-REQ-001
:priority: 2
```

```{req} An observatory requirement
:id: DMS-REQ-0001
:priority: 2
```

```{test} The project's own test case
:id: TRACE-T-001
:verifies: TRACE-REQ-001
```
"""


@pytest.mark.verifies("TRACE-T-014")
def test_configured_id_patterns_apply_to_check_and_build(site: Site) -> None:
    site.write("needs/needs.md", PATTERN_NEEDS)
    default = site.check()
    site.configure(patterns={"req": [r"^TRACE-REQ-\d{3}$"], "test": [r"^LVV-T\d+$", r"^TRACE-T-\d{3}$"]})
    configured_check = site.check()
    configured_build = site.build()

    assert default.error_lines() == [
        r"needs/needs.md:3: error: TRACE-REQ-001: id does not match the req pattern ^DMS-REQ-\d{4}$ "
        "(e.g. DMS-REQ-0293) [trace.id-pattern]",
        r"needs/needs.md:13: error: TRACE-T-001: id does not match the test pattern ^LVV-T\d+$ (e.g. LVV-T2303) "
        "[trace.id-pattern]",
    ]
    expected = [
        r"needs/needs.md:8: error: DMS-REQ-0001: id does not match the req pattern ^TRACE-REQ-\d{3}$ "
        "[trace.id-pattern]"
    ]
    assert (configured_check.returncode, configured_check.error_lines()) == (1, expected)
    assert (configured_build.returncode, configured_build.error_lines()) == (1, expected)
