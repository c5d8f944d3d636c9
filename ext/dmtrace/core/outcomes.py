"""The vocabulary of test results: one outcome model for pytest runs and the observatory's campaign records."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    PASSED = "passed"
    PASSED_WITH_DEVIATION = "passed with deviation"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    NOT_RUN = "not run"


# The observatory's words (Zephyr / the verification control document) for each outcome.
OBSERVATORY_WORDS: dict[str, Outcome] = {
    "passed": Outcome.PASSED,
    "pass": Outcome.PASSED,
    "pass w/deviation": Outcome.PASSED_WITH_DEVIATION,
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


@dataclass(frozen=True)
class TestResult:
    """The latest result of one test case, and where it came from."""

    test_id: str
    outcome: Outcome
    when: str
    source: str
    detail: str = ""
