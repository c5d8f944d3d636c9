"""The items a milestone needs, those not yet verified (evidence not Fully Verified, or not signed off) first,
each with its test cases, last runs and what is missing; and their progress in the tool's own measure."""

from __future__ import annotations

from collections import Counter

from dmtrace.core.evidence import Evidence
from dmtrace.core.milestones import NeededBy, scope_priorities
from dmtrace.core.model import PRIORITIES, REQUIREMENT_TYPES, Need, natural_key
from dmtrace.core.status import Verification, priority_rank
from dmtrace.core.truth import why_not_verified
from dmtrace.views.cells import (
    NO_VALUE,
    evidence_cell,
    evidence_text,
    result_of,
    signoff_cell,
    signoff_text,
    status_of,
    title_cell,
)
from dmtrace.views.charts import BarRow, stacked_bars
from dmtrace.views.context import RenderContext, badge, css_class, page_table_html, percent
from dmtrace.views.markup import Cell, Inline, Row, Span, lines, text_html
from dmtrace.views.suspects import suspect_badge, suspect_class

STATES = [v.value for v in Verification]


def rubric(text: str) -> str:
    return f'<p class="rubric">{text_html(text)}</p>\n'


def figure(svg: str) -> str:
    return f"<figure class='trace-figure'>{svg}</figure>"


def needed_items(ctx: RenderContext, milestone: Need) -> list[tuple[Need, str]]:
    """(requirement, why it is listed): linked to this milestone, and/or in the milestone's priority scope."""
    graph = ctx.evaluation.graph
    scope = scope_priorities(milestone)
    candidates = {
        n.id: n
        for n in (graph.needs[i] for i in graph.linked_from(milestone.id, "milestone"))
        if n.type in REQUIREMENT_TYPES
    }
    candidates.update((n.id, n) for priority in scope for n in graph.requirements_by_priority.get(priority, []))
    # Why each is listed: the matrix's milestone column asks the same question the other way round.
    why = NeededBy([milestone])
    items = [(need, found[0][1]) for need in candidates.values() if (found := why(need))]
    return sorted(items, key=lambda item: (priority_rank(item[0].priority), natural_key(item[0].id)))


def is_blocking(ctx: RenderContext, need: Need) -> bool:
    """Not yet verified: the evidence is not Fully Verified, or the item is not signed off."""
    truth = ctx.evaluation.truth
    evidence = truth.evidence.get(need.id)
    if evidence is None:  # outside the observatory's records: the tool's own verification decides
        return status_of(ctx, need).verification is not Verification.VERIFIED
    return evidence is not Evidence.FULLY_VERIFIED or not truth.signed_off(need.id)


def missing_text(ctx: RenderContext, need: Need) -> str:
    """What stands between the item and 'verified': the evidence's gap and the sign-off's, in their own words."""
    truth = ctx.evaluation.truth
    parts = []
    evidence = truth.evidence.get(need.id)
    if evidence is not Evidence.FULLY_VERIFIED:
        why = why_not_verified(ctx.evaluation.graph, need, ctx.evaluation.latest)
        parts.append(f"evidence {evidence.value if evidence else 'none'}" + (f": {why}" if why else ""))
    if not truth.signed_off(need.id):
        signed = truth.signoff.get(need.id)
        parts.append(f"sign-off: {signed.status if signed else 'none recorded'}")
    return "; ".join(parts)


def _tests_cell(ctx: RenderContext, need: Need) -> Cell:
    tests = sorted(ctx.evaluation.graph.tests(need.id), key=lambda t: natural_key(t.id))
    if not tests:
        return NO_VALUE
    rows: list[list[Inline]] = []
    for test in tests:
        result = ctx.evaluation.latest.get(test.id)
        outcome, when = result_of(ctx, test.id)
        word = (result.provenance.word if result else "") or outcome
        row: list[Inline] = [ctx.link(test.id), " ", badge(outcome, "r")]
        if word.lower() != outcome.lower():
            row.append(Span(f" {word}", "trace-note"))
        row.append(Span(f" {when}" if when else " undated", "trace-date"))
        rows.append(row)
    return lines(rows)


def _item_row(ctx: RenderContext, need: Need, why: str, blocking: bool) -> Row:
    cells: list[Cell] = [
        title_cell(ctx, need),
        need.priority or NO_VALUE,
        [evidence_cell(ctx, need.id), *suspect_badge(ctx, need.id)],
        signoff_cell(ctx, need.id),
        _tests_cell(ctx, need),
    ]
    cells.append(missing_text(ctx, need) if blocking else why)
    return Row(
        cells,
        classes=[
            "trace-row",
            css_class("p", need.priority),
            css_class("v", status_of(ctx, need).verification.value),
            css_class("e", evidence_text(ctx, need.id)),
            css_class("so", signoff_text(ctx, need.id)),
            *suspect_class(ctx, need.id),
        ],
    )


def items_html(ctx: RenderContext, milestone: Need, items: list[tuple[Need, str]]) -> list[str]:
    blocking = [(n, why) for n, why in items if is_blocking(ctx, n)]
    done = [(n, why) for n, why in items if not is_blocking(ctx, n)]
    result = []
    headers = ["Requirement", "Priority", "Evidence", "Sign-off", "Test cases, last runs"]
    result.append(rubric(f"Not yet verified ({len(blocking)} of {len(items)}): what blocks {milestone.id}"))
    if blocking:
        result.append(
            page_table_html(
                ctx,
                [*headers, "What is missing"],
                (_item_row(ctx, n, why, True) for n, why in blocking),
                classes=["trace-matrix", "trace-milestone-blockers"],
                widths=[28, 7, 11, 12, 20, 22],
                filter_label=f"Items blocking {milestone.id}",
            )
        )
    else:
        result.append("<p>None: every item is fully verified and signed off.</p>\n")
    result.append(rubric(f"Verified and signed off ({len(done)} of {len(items)})"))
    if done:
        result.append(
            page_table_html(
                ctx,
                [*headers, "Listed because"],
                (_item_row(ctx, n, why, False) for n, why in done),
                classes=["trace-matrix", "trace-milestone-items"],
                widths=[32, 7, 11, 12, 24, 14],
                filter_label=f"Verified items of {milestone.id}",
            )
        )
    return result


def progress_html(ctx: RenderContext, milestone: Need, items: list[tuple[Need, str]]) -> list[str]:
    counts = Counter(status_of(ctx, need).verification.value for need, _ in items)
    row = Row(
        [str(len(items)), *(str(counts[s]) for s in STATES), percent(counts[Verification.VERIFIED.value], len(items))]
    )
    result = [rubric(f"Progress: the tool's verification measure of the {len(items)} items")]
    result.append(page_table_html(ctx, ["Items", *STATES, "verified %"], [row], classes=["trace-milestone-counts"]))
    by_priority: dict[str, Counter[str]] = {}
    for need, _ in items:
        by_priority.setdefault(need.priority or "none", Counter())[status_of(ctx, need).verification.value] += 1
    bars = [
        BarRow(f"P{p}" if p in PRIORITIES else p, [(s, by_priority[p][s]) for s in STATES])
        for p in sorted(by_priority, key=priority_rank)
    ]
    result.append(figure(stacked_bars(bars, f"Progress of {milestone.id}: verification state of the items it needs")))
    return result
