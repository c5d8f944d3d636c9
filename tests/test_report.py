"""dmtrace.core.report: the plain compiler-style line and the GitHub Actions annotation, with its escaping."""

from __future__ import annotations

from dmtrace.core.model import Violation
from dmtrace.core.report import format_github, format_plain, format_violations, summary, use_github_format

UNTRACED = Violation(
    "needs/dms/alerts.md",
    12,
    "DMS-REQ-0398",
    "DMS-REQ-0398 (priority 1a) has no verifying test and no P1a children",
    "trace.untraced",
)


def test_plain_line_is_file_line_error_id_message_rule() -> None:
    assert format_plain(UNTRACED) == (
        "needs/dms/alerts.md:12: error: DMS-REQ-0398: DMS-REQ-0398 (priority 1a) "
        "has no verifying test and no P1a children [trace.untraced]"
    )


def test_github_annotation_names_file_line_and_rule() -> None:
    assert format_github(UNTRACED) == (
        "::error file=needs/dms/alerts.md,line=12,title=trace.untraced::DMS-REQ-0398: DMS-REQ-0398 (priority 1a) "
        "has no verifying test and no P1a children [trace.untraced]"
    )


def test_github_annotation_escapes_message_data() -> None:
    """In the message, only %, CR and LF are special: a colon or comma stays as written."""
    violation = Violation("needs/a.md", 3, "DMS-REQ-0001", "100% done,\r\nnext: line", "trace.x")
    assert format_github(violation) == (
        "::error file=needs/a.md,line=3,title=trace.x::DMS-REQ-0001: 100%25 done,%0D%0Anext: line [trace.x]"
    )


def test_github_annotation_escapes_properties() -> None:
    """In file= and title=, a colon or comma would end the property: they are escaped too, after %."""
    violation = Violation("needs/odd,name:50%.md", 7, "LVV-T1", "m", "trace.a,b:c\nd")
    assert format_github(violation) == (
        "::error file=needs/odd%2Cname%3A50%25.md,line=7,title=trace.a%2Cb%3Ac%0Ad::LVV-T1: m [trace.a,b:c%0Ad]"
    )


def test_format_follows_the_github_actions_variable() -> None:
    assert use_github_format({"GITHUB_ACTIONS": "true"})
    assert not use_github_format({"GITHUB_ACTIONS": "false"})
    assert not use_github_format({})
    assert format_violations([UNTRACED], {"GITHUB_ACTIONS": "true"}) == [format_github(UNTRACED)]
    assert format_violations([UNTRACED], {}) == [format_plain(UNTRACED)]


def test_summary_counts_violations() -> None:
    assert summary(0) == "traceability: all rules pass"
    assert summary(1) == "traceability: 1 violation"
    assert summary(3) == "traceability: 3 violations"
