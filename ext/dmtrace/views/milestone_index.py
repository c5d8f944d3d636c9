"""Renders the milestones index: the slip table first (baseline, latest forecast or actual, slip, state), then the
chains, the timeline and one small forecast chart per milestone."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from html import escape

from docutils import nodes

from dmtrace.core.milestones import COMPLETED, OPEN, OVERDUE, MilestoneFacts, month_name
from dmtrace.core.model import Need, natural_key
from dmtrace.views.cells import NO_VALUE
from dmtrace.views.charts import ForecastSeries, TimelineItem, forecast_history, timeline
from dmtrace.views.context import RenderContext, css_class
from dmtrace.views.markup import Cell, Row, Span, table
from dmtrace.views.milestone_items import is_blocking, needed_items
from dmtrace.views.milestones import (
    facts_of,
    link_list,
    milestone_link,
    planning_as_of,
    state_badge,
    successors,
)

MAX_CHAINS = 40
RANK = {OVERDUE: 0, OPEN: 1, COMPLETED: 2}


def _order(facts: MilestoneFacts) -> tuple[int, dt.date, tuple[object, ...]]:
    return RANK[facts.state], facts.shown_date or dt.date.max, natural_key(facts.id)


def _baseline_cell(milestone: Need, facts: MilestoneFacts) -> Cell:
    """The baseline as the milestone gives it (`due`, a date or a month), and the snapshot it comes from."""
    if not facts.baselines:
        return NO_VALUE
    first = facts.baselines[0]
    if milestone.get("due") and first.month == milestone.get("due_snapshot"):
        first_text = milestone.get("due")
    else:
        first_text = first.date.isoformat()
    return [
        Span(first_text, "trace-nowrap"),
        Span(f" PMCS {month_name(first.month)}" if first.month else "", "trace-note"),
    ]


def _date_cell(facts: MilestoneFacts) -> Cell:
    if facts.actual:
        return [
            Span(facts.actual.date.isoformat(), "trace-nowrap"),
            Span(f" actual ({facts.actual.source})", "trace-note"),
        ]
    if facts.latest:
        source = (
            f"PMCS {month_name(facts.latest.month)} {facts.latest.kind}" if facts.latest.month else facts.latest.kind
        )
        code = f", as {facts.latest.code}" if facts.latest.code else ""
        return [Span(facts.latest.date.isoformat(), "trace-nowrap"), Span(f" {source}{code}", "trace-note")]
    return NO_VALUE


def _slip_cell(facts: MilestoneFacts) -> Cell:
    return Span(f"{facts.slip_days:+d}", "trace-number") if facts.slip_days is not None else ""


def _row(ctx: RenderContext, milestone: Need, facts: MilestoneFacts) -> Row:
    items = needed_items(ctx, milestone)
    verified = sum(1 for need, _ in items if not is_blocking(ctx, need))
    return Row(
        [
            [milestone_link(ctx, milestone.id), " ", Span(milestone.title, "trace-title")],
            _baseline_cell(milestone, facts),
            _date_cell(facts),
            _slip_cell(facts),
            state_badge(facts),
            month_name(facts.last_seen) if facts.last_seen and not facts.actual else "",
            f"{verified} / {len(items)}" if items else NO_VALUE,
        ],
        classes=["trace-row", css_class("m", facts.state)],
    )


def _chains(ctx: RenderContext, milestones: dict[str, Need]) -> Iterator[list[str]]:
    """Maximal predecessor -> successor paths among the milestones, at most MAX_CHAINS of them."""
    emitted = 0
    roots = [
        m
        for m in sorted(milestones, key=natural_key)
        if not any(t in milestones for t in milestones[m].targets("after")) and successors(ctx, m)
    ]
    for root in roots:
        # Depth first with an explicit stack (a chain may be thousands long); `on_path` keeps each path simple.
        path, on_path = [root], {root}

        def nexts_of(milestone_id: str, on_path: set[str] = on_path) -> list[str]:
            return [s for s in successors(ctx, milestone_id) if s in milestones and s not in on_path]

        first = nexts_of(root)
        if not first:
            if emitted >= MAX_CHAINS:
                return
            emitted += 1
            yield [root]
            continue
        stack = [iter(first)]
        while stack:
            successor = next(stack[-1], None)
            if successor is None:
                stack.pop()
                on_path.discard(path.pop())
                continue
            path.append(successor)
            on_path.add(successor)
            following = nexts_of(successor)
            if following:
                stack.append(iter(following))
                continue
            if emitted >= MAX_CHAINS:
                return
            emitted += 1
            yield list(path)
            on_path.discard(path.pop())


def _lead(ctx: RenderContext, facts: list[MilestoneFacts]) -> nodes.paragraph:
    counts = Counter(f.state for f in facts)
    text = (
        f"{len(facts)} milestones: {counts[OVERDUE]} overdue, {counts[OPEN]} open, {counts[COMPLETED]} completed. "
        + planning_as_of(ctx)
    )
    return nodes.paragraph(text, text, classes=["trace-lead"])


def _small_multiples(milestones: list[Need], facts: dict[str, MilestoneFacts]) -> str:
    charts = []
    for milestone in milestones:
        points = facts[milestone.id].forecast_points()
        if len(points) > 1:
            svg = forecast_history(
                [ForecastSeries(milestone.id, points)], f"{milestone.id}: forecast history", 360, 180, labelled=True
            )
            caption = f"<figcaption>{escape(milestone.id)}</figcaption>"
            charts.append(f"<figure class='trace-figure trace-small-multiple'>{caption}{svg}</figure>")
    return f"<div class='trace-small-multiples'>{''.join(charts)}</div>" if charts else ""


def milestones_index(ctx: RenderContext) -> list[nodes.Node]:
    graph = ctx.evaluation.graph
    milestones = {n.id: n for n in graph.needs.values() if n.type == "milestone"}
    if not milestones:
        return [nodes.paragraph("", "No milestones yet.")]
    facts = {m: facts_of(ctx, need) for m, need in milestones.items()}
    ordered = sorted(milestones.values(), key=lambda m: _order(facts[m.id]))
    result: list[nodes.Node] = [_lead(ctx, list(facts.values()))]
    heading = "Slip at a glance (overdue first)"
    result.append(nodes.rubric(heading, heading))
    result.append(
        table(
            ctx,
            [
                "Milestone",
                "Baseline",
                "Latest forecast or actual",
                "Slip (days)",
                "State",
                "Last seen",
                "Items verified and signed off",
            ],
            (_row(ctx, m, facts[m.id]) for m in ordered),
            classes=["trace-matrix", "trace-milestones"],
            widths=[30, 12, 18, 7, 15, 9, 9],
            filter_label="Milestones",
        )
    )
    chains = list(_chains(ctx, milestones))
    if chains:
        heading = "Chains (predecessor → successor)"
        result.append(nodes.rubric(heading, heading))
        chain_list = nodes.bullet_list(classes=["trace-chains"])
        for path in chains:
            item = nodes.list_item()
            item += ctx.nodes.paragraph(link_list(ctx, path, separator=" → "))
            chain_list += item
        result.append(chain_list)
    timeline_items = sorted(
        (
            TimelineItem(m, when, f.state if f.state != OPEN else "upcoming")
            for m, f in facts.items()
            if (when := f.shown_date)
        ),
        key=lambda i: (i.when, natural_key(i.label)),
    )
    if timeline_items:
        result.append(nodes.rubric("Timeline", "Timeline"))
        svg = timeline(timeline_items, ctx.today, "Milestones in date order (actual date when completed, else latest)")
        result.append(nodes.raw("", f"<figure class='trace-figure'>{svg}</figure>", format="html"))
    multiples = _small_multiples(sorted(milestones.values(), key=lambda n: natural_key(n.id)), facts)
    if multiples:
        heading = "Forecast history, one chart per milestone"
        result.append(nodes.rubric(heading, heading))
        result.append(nodes.raw("", multiples, format="html"))
    return result
