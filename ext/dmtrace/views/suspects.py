"""Renders suspect verification: the items whose verification a later normative change outdates, counted per
priority, each with the change and the evidence it outdates; and the badge the other views put beside an item."""

from __future__ import annotations

from collections import Counter

from docutils import nodes

from dmtrace.core.model import PRIORITIES, REQUIREMENT_TYPES, Need, natural_key
from dmtrace.core.status import priority_rank
from dmtrace.views.cells import title_cell
from dmtrace.views.context import RenderContext, badge, css_class
from dmtrace.views.markup import Inline, Row, Span, table

SUSPECT = "suspect"
WHAT = (
    "Suspect: a requirement or verification element whose normative content (title, specification, priority, "
    "status, parameters, refined requirement), or the text of a test case verifying it, changed in git after its "
    "newest evidence (its test cases' last passing execution, or its sign-off snapshot). A newer pass clears it, "
    "and so does a review recorded on the need (`reviewed`: the fingerprint of the content reviewed)."
)


def suspect_badge(ctx: RenderContext, need_id: str) -> list[Inline]:
    """' suspect' as a badge, with the change as its tooltip text; nothing for an item that is not suspect."""
    suspicion = ctx.evaluation.suspects.get(need_id)
    if suspicion is None:
        return []
    return [" ", badge(SUSPECT, "x"), Span(f" ({suspicion.change.text()})", "trace-note")]


def suspect_class(ctx: RenderContext, need_id: str) -> list[str]:
    """The row class the filter reads: `x-suspect` for a suspect item."""
    return [css_class("x", SUSPECT)] if need_id in ctx.evaluation.suspects else []


def _since(ctx: RenderContext) -> str:
    normative = ctx.evaluation.normative
    if not normative.known:
        return f"Not computed: {normative.unavailable}."
    return f"Changes counted since revision {normative.since}."


def suspect_section(ctx: RenderContext) -> list[nodes.Node]:
    """Suspect items per priority, then one row each: the item, the change, the evidence it outdates."""
    heading = "Suspect verification"
    result: list[nodes.Node] = [nodes.rubric(heading, heading, ids=["trace-suspect"])]
    caption = f"{WHAT} {_since(ctx)}"
    result.append(nodes.paragraph(caption, caption, classes=["trace-caption"]))
    if not ctx.evaluation.normative.known:
        return result
    items = [
        n
        for n in ctx.evaluation.graph.needs.values()
        if n.type in REQUIREMENT_TYPES and n.is_active and n.id in ctx.evaluation.suspects
    ]
    counts: Counter[str] = Counter(n.priority or "none" for n in items)
    rows = [
        Row([f"P{p}" if p in PRIORITIES else p, str(counts[p])], classes=[css_class("p", p)])
        for p in sorted({*PRIORITIES, *counts}, key=priority_rank)
    ]
    rows.append(Row(["all", str(len(items))], classes=["trace-total"]))
    result.append(
        table(ctx, ["Priority", "Suspect items (requirements and VEs)"], rows, classes=["trace-suspect-counts"])
    )
    if not items:
        text = "None: no normative change since the starting point outdates a verification."
        result.append(nodes.paragraph(text, text))
        return result
    result.append(table(ctx, ["Item", "Priority", "Change", "Outdates"], _rows(ctx, items), classes=["trace-suspects"]))
    return result


def _rows(ctx: RenderContext, items: list[Need]) -> list[Row]:
    ordered = sorted(items, key=lambda n: (priority_rank(n.priority), natural_key(n.id)))
    rows = []
    for need in ordered:
        suspicion = ctx.evaluation.suspects[need.id]
        whose = "" if suspicion.change.need_id == need.id else f"{suspicion.change.need_id}: "
        rows.append(
            Row(
                [title_cell(ctx, need), need.priority or "—", whose + suspicion.change.text(), suspicion.outdates.text],
                classes=["trace-row", css_class("p", need.priority), css_class("x", SUSPECT)],
            )
        )
    return rows
