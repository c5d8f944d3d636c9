"""Renders a test plan's page as a test report summarises a campaign: per test case its execution key, status word
and what it verifies, with totals per status word, and the milestone the plan serves with its state."""

from __future__ import annotations

import hashlib
from html import escape

from dmtrace.core.model import Need, natural_key
from dmtrace.core.plans import PlanExecution, plan_executions, plan_totals
from dmtrace.views.cells import NO_VALUE
from dmtrace.views.context import RenderContext, badge, css_class, page_table_html
from dmtrace.views.markup import Cell, Inline, Row, Span, text_html
from dmtrace.views.milestone_items import rubric
from dmtrace.views.milestones import (
    facts_html,
    facts_of,
    milestone_link,
    page_heading,
    section_open,
    state_badge,
)


def totals_text(executions: list[PlanExecution]) -> str:
    """'38 Pass, 1 Pass w/ Deviation, 2 Initial Pass' (most frequent first)."""
    totals = plan_totals(executions)
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{count} {word}" for word, count in ordered) or "no execution recorded"


def _served(ctx: RenderContext, plan: Need) -> Cell:
    served = sorted(plan.targets("serves"), key=natural_key)
    if not served:
        return NO_VALUE
    parts: list[Inline] = []
    for milestone_id in served:
        milestone = ctx.need(milestone_id)
        parts += [milestone_link(ctx, milestone_id), " "]
        if milestone is not None and milestone.type == "milestone":
            parts += state_badge(facts_of(ctx, milestone))
    return parts


def _row(ctx: RenderContext, execution: PlanExecution) -> Row:
    test = ctx.need(execution.test_id)
    title = test.title if test and test.title != test.id else ""
    verifies: list[Inline] = []
    for index, need_id in enumerate(execution.verifies):
        verifies += [", ", ctx.link(need_id)] if index else [ctx.link(need_id)]
    return Row(
        [
            [ctx.link(execution.test_id), " ", Span(title, "trace-title")] if title else ctx.link(execution.test_id),
            execution.record.provenance.execution or NO_VALUE,
            badge(execution.word, "w"),
            verifies if execution.verifies else NO_VALUE,
        ],
        classes=["trace-row", css_class("w", execution.word)],
    )


def plan_fingerprint(ctx: RenderContext, plan_id: str) -> str:
    """Everything `plan_page_html` shows, hashed."""
    plan = ctx.need(plan_id)
    if plan is None:
        return "missing"
    executions = plan_executions(plan_id, ctx.evaluation.truth.history, ctx.evaluation.graph)
    served = [(i, sorted(n.fields.items())) if (n := ctx.need(i)) else (i,) for i in plan.targets("serves")]
    shown = [
        ctx.today.isoformat(),
        plan.title,
        plan.file,
        repr(sorted(plan.fields.items())),
        repr(sorted(plan.links.items())),
        repr(served),
        repr([(e.test_id, e.word, e.record.provenance, e.verifies, ctx.need(e.test_id)) for e in executions]),
    ]
    return hashlib.sha1("\x1e".join(map(str, shown)).encode()).hexdigest()


def plan_page_html(ctx: RenderContext, plan_id: str) -> str:
    """The body of a test plan's page: the totals first, then the facts and one row per execution."""
    plan = ctx.need(plan_id)
    if plan is None or plan.type != "plan":
        return f"<p>No test plan {escape(plan_id)}.</p>\n"
    executions = plan_executions(plan_id, ctx.evaluation.truth.history, ctx.evaluation.graph)
    sources = sorted({e.record.provenance.source or e.record.file for e in executions})
    lead = (
        f"{plan.id} ran {len(executions)} executions"
        + (f" in test cycle {plan.get('cycle')}" if plan.get("cycle") else "")
        + (f", reported in {plan.get('report')}" if plan.get("report") else "")
        + f": {totals_text(executions)}."
    )
    facts: list[tuple[str, Cell]] = [
        ("Serves", _served(ctx, plan)),
        ("Test cycle", plan.get("cycle") or NO_VALUE),
        ("Report", plan.get("report") or NO_VALUE),
        ("Executions read from", ", ".join(sources) or "no execution record names this plan"),
        ("Test cases", str(len({e.test_id for e in executions}))),
    ]
    result = [section_open(page_heading(plan)), f'<p class="trace-lead">{text_html(lead)}</p>\n']
    result.append(facts_html(ctx, facts))
    result.append(rubric(f"Executions ({len(executions)})"))
    if executions:
        result.append(
            page_table_html(
                ctx,
                ["Test case", "Execution", "Status", "Verifies"],
                (_row(ctx, e) for e in executions),
                classes=["trace-matrix", "trace-plan-executions"],
                widths=[40, 12, 16, 32],
                filter_label=f"Executions of {plan.id}",
            )
        )
    result.append("</section>\n")
    return "".join(result)
