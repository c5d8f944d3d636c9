"""Renders the generated part of the definitions page (`{trace-definitions}`): the vocabulary of results, the VE
statuses of sign-off and the reconciliation's kinds, read from the code that applies them, so they cannot drift."""

from __future__ import annotations

from docutils import nodes

from dmtrace.core.outcomes import FAILURES, OBSERVATORY_WORDS, PASSES, Outcome
from dmtrace.core.signoff import NO_STATUS, SIGNED_OFF, VE_STATUSES
from dmtrace.core.truth import KINDS
from dmtrace.views.context import RenderContext, badge
from dmtrace.views.markup import Row, Span, table
from dmtrace.views.reconciliation import KIND_TEXT

# How a pytest run (JUnit XML) gives each outcome: its <testcase> element and what it holds.
JUNIT: dict[Outcome, str] = {
    Outcome.PASSED: "a <testcase> with no <failure>, <error> or <skipped>",
    Outcome.FAILED: "<failure> (a failed assertion)",
    Outcome.ERROR: "<error> (an error in the test or its fixtures)",
    Outcome.SKIPPED: "<skipped> (pytest.skip, skipif, xfail)",
}
NO_RECORD = "a test case without any record counts as not run"


def counts_as(outcome: Outcome) -> str:
    """What an outcome counts as in every measure: a pass, a failure, or not executed."""
    return "pass" if outcome in PASSES else "failure" if outcome in FAILURES else "not executed"


def _vocabulary(ctx: RenderContext) -> nodes.Node:
    words: dict[Outcome, list[str]] = {}
    for word, outcome in OBSERVATORY_WORDS.items():
        words.setdefault(outcome, []).append(word)
    rows = [
        Row(
            [
                badge(outcome.value, "r"),
                ", ".join(f"“{w}”" for w in words.get(outcome, [])) or "—",
                JUNIT.get(outcome, NO_RECORD if outcome is Outcome.NOT_RUN else "—"),
                Span(counts_as(outcome), "trace-counts-as"),
            ]
        )
        for outcome in Outcome
    ]
    return table(
        ctx,
        ["Outcome", "Recorded words (results CSV; case and spacing ignored)", "pytest (JUnit XML)", "Counts as"],
        rows,
        classes=["trace-definitions", "trace-vocabulary"],
        widths=[18, 34, 32, 16],
    )


def _statuses(ctx: RenderContext) -> nodes.Node:
    rows = [
        Row(
            [
                badge(status, "so"),
                "signed off" if status in SIGNED_OFF else "not signed off",
                "also what a VE without a recorded status counts as" if status == NO_STATUS else "",
            ]
        )
        for status in VE_STATUSES
    ]
    return table(ctx, ["VE status (recorded)", "Counts as", "Note"], rows, classes=["trace-definitions"])


def _kinds(ctx: RenderContext) -> nodes.Node:
    rows = [Row([Span(kind, "trace-id"), KIND_TEXT[kind][0], KIND_TEXT[kind][1]]) for kind in KINDS]
    return table(ctx, ["Kind", "Shown as", "Meaning"], rows, classes=["trace-definitions"], widths=[22, 22, 56])


PARTS = ("vocabulary", "statuses", "kinds")
TITLES = {
    "vocabulary": "Results vocabulary",
    "statuses": "Verification element statuses",
    "kinds": "Reconciliation kinds",
}


def definitions(ctx: RenderContext, part: str = "") -> list[nodes.Node]:
    """One part's table (`:part:`), or every part under its own rubric."""
    render = {"vocabulary": _vocabulary, "statuses": _statuses, "kinds": _kinds}
    if part:
        return [render[part](ctx)]
    result: list[nodes.Node] = []
    for name in PARTS:
        result += [nodes.rubric(TITLES[name], TITLES[name]), render[name](ctx)]
    return result
