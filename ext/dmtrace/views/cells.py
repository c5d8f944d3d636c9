"""Cells every view shows the same way: a need's status, a test case's last result, an id with its title."""

from __future__ import annotations

from dmtrace.core.model import Need
from dmtrace.core.outcomes import Outcome
from dmtrace.core.status import NeedStatus, Trace, Verification
from dmtrace.views.context import RenderContext
from dmtrace.views.markup import Inline, Span

NO_VALUE = "—"


def status_of(ctx: RenderContext, need: Need) -> NeedStatus:
    return ctx.evaluation.statuses.get(need.id, NeedStatus(Trace.UNTRACED, Verification.UNTRACED))


def result_of(ctx: RenderContext, test_id: str) -> tuple[str, str]:
    """(outcome, date of the latest run) of a test case; 'not run' and no date when it has no result."""
    result = ctx.evaluation.latest.get(test_id)
    return (result.outcome.value, result.when) if result else (Outcome.NOT_RUN.value, "")


def title_cell(ctx: RenderContext, need: Need) -> list[Inline]:
    """The need's id, linked, and its title."""
    if need.title.strip() == need.id:  # imported test cases without a known title
        return [ctx.link(need.id)]
    return [ctx.link(need.id), " ", Span(need.title, "trace-title")]
