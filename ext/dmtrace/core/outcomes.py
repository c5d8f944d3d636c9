"""The vocabulary of test results: one outcome model for pytest runs and the observatory's campaign records."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    PASSED = "passed"
    PASSED_WITH_DEVIATION = "passed with deviation"
    INITIAL_PASS = "initial pass"  # the campaign's word: a pass the test team has yet to confirm
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    NOT_RUN = "not run"


# The observatory's words (Zephyr / the verification control document) for each outcome.
OBSERVATORY_WORDS: dict[str, Outcome] = {
    "passed": Outcome.PASSED,
    "pass": Outcome.PASSED,
    "pass w/deviation": Outcome.PASSED_WITH_DEVIATION,
    "pass w/ deviation": Outcome.PASSED_WITH_DEVIATION,
    "initial pass": Outcome.INITIAL_PASS,
    "passed with deviation": Outcome.PASSED_WITH_DEVIATION,
    "failed": Outcome.FAILED,
    "fail": Outcome.FAILED,
    "error": Outcome.ERROR,
    "skipped": Outcome.SKIPPED,
    "not executed": Outcome.NOT_RUN,
    "not run": Outcome.NOT_RUN,
}


def parse_outcome(word: str) -> Outcome | None:
    """The outcome a status word names, or None when the word is not in the vocabulary."""
    return OBSERVATORY_WORDS.get(" ".join(word.lower().split()))


# What each outcome counts as in the VCD's categories: a pass, a failure, or not executed.
PASSES = frozenset({Outcome.PASSED, Outcome.PASSED_WITH_DEVIATION, Outcome.INITIAL_PASS})
FAILURES = frozenset({Outcome.FAILED, Outcome.ERROR})


@dataclass(frozen=True)
class Provenance:
    """Where a record comes from, as the VCD's Last Run cell names it (what the data has of it)."""

    source: str = ""  # e.g. "LDM-692 VCD 2025-12-18", "DMTR-412", a JUnit file
    word: str = ""  # the status word as recorded ("Pass w/ Deviation", "Initial Pass", ...)
    execution: str = ""  # LVV-En
    plan: str = ""  # LVV-Pn
    cycle: str = ""  # LVV-Rn
    report: str = ""  # DMTR-nnn, LDM-692


@dataclass(frozen=True)
class TestResult:
    """The latest result of one test case, and where it came from."""

    test_id: str
    outcome: Outcome
    when: str
    source: str
    detail: str = ""
    provenance: Provenance = field(default_factory=Provenance)
