"""Cells every view shows the same way: a need's status, a test case's last result, an id with its title, a
requirement's or VE's evidence and sign-off."""

from __future__ import annotations

from dmtrace.core.model import Need
from dmtrace.core.outcomes import Outcome
from dmtrace.core.status import NeedStatus, Trace, Verification
from dmtrace.views.context import RenderContext, badge
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


def evidence_cell(ctx: RenderContext, need_id: str) -> Inline:
    """The need's evidence (the VCD's category of its test runs) as a badge; a dash outside the DM catalogue."""
    evidence = ctx.evaluation.truth.evidence.get(need_id)
    return badge(evidence.value, "e") if evidence is not None else NO_VALUE


def signoff_cell(ctx: RenderContext, need_id: str) -> list[Inline]:
    """The need's sign-off as a badge, and why it counts so when nothing was recorded; a dash outside the DM
    catalogue. The snapshot's date is the page's, in `as_of`."""
    state = ctx.evaluation.truth.signoff.get(need_id)
    if state is None:
        return [NO_VALUE]
    cell: list[Inline] = [badge(state.status, "so")]
    if state.note:
        cell += [" ", Span(f"({state.note})", "trace-note")]
    return cell


def evidence_text(ctx: RenderContext, need_id: str) -> str:
    evidence = ctx.evaluation.truth.evidence.get(need_id)
    return evidence.value if evidence is not None else ""


def signoff_text(ctx: RenderContext, need_id: str) -> str:
    state = ctx.evaluation.truth.signoff.get(need_id)
    return state.status if state is not None else ""


def as_of(ctx: RenderContext) -> str:
    """Which execution records and which sign-off snapshot the statuses of a page are read from."""
    return ctx.evaluation.truth.as_of_text()
