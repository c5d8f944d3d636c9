"""Formats violations as compiler-style lines, or as GitHub Actions annotations when running there."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from dmtrace.core.model import Violation


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _subject(violation: Violation) -> str:
    """'ID: message', or the message alone when the violation is about no particular need."""
    return f"{violation.need_id}: {violation.message}" if violation.need_id else violation.message


def format_plain(violation: Violation) -> str:
    return f"{violation.file}:{violation.line}: error: {_subject(violation)} [{violation.rule}]"


def format_github(violation: Violation) -> str:
    return (
        f"::error file={_escape_property(violation.file)},line={violation.line},"
        f"title={_escape_property(violation.rule)}::"
        f"{_escape_data(f'{_subject(violation)} [{violation.rule}]')}"
    )


def use_github_format(environ: Mapping[str, str] | None = None) -> bool:
    return (environ if environ is not None else os.environ).get("GITHUB_ACTIONS") == "true"


def format_violations(violations: Iterable[Violation], environ: Mapping[str, str] | None = None) -> list[str]:
    formatter = format_github if use_github_format(environ) else format_plain
    return [formatter(v) for v in violations]


def summary(count: int) -> str:
    if count == 0:
        return "traceability: all rules pass"
    return f"traceability: {count} violation{'s' if count != 1 else ''}"
