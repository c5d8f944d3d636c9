"""Renders one milestone's page: its state from the records (which one decides), baselines, slip and forecast
history; the items it needs, those not yet verified first; its test plans; its neighbours with their state."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from html import escape

from docutils import nodes

from dmtrace.core.evidence import Evidence
from dmtrace.core.milestones import (
    DECIDING_RULE,
    MilestoneFacts,
    PlanningDate,
    milestone_facts,
    month_name,
    scope_priorities,
)
from dmtrace.core.model import Need, natural_key
from dmtrace.core.plans import plan_executions, plan_totals, plans_serving
from dmtrace.core.status import Verification
from dmtrace.views.cells import (
    NO_VALUE,
    as_of,
    evidence_text,
    result_of,
    status_of,
)
from dmtrace.views.charts import ForecastSeries, forecast_history
from dmtrace.views.context import RenderContext, badge, page_table_html
from dmtrace.views.markup import Cell, Inline, Row, Span, cell_html, lines, text_html
from dmtrace.views.milestone_items import (
    figure,
    is_blocking,
    items_html,
    needed_items,
    progress_html,
    rubric,
)

STATES = [v.value for v in Verification]


def facts_of(ctx: RenderContext, milestone: Need) -> MilestoneFacts:
    """The milestone's facts as of the build date, against the catalogue's newest planning snapshot."""
    return milestone_facts(milestone, ctx.today, ctx.evaluation.planning_snapshot)


def planning_as_of(ctx: RenderContext) -> str:
    """'As of the planning snapshot PMCS April 2025 and the build date 2026-11-28.'"""
    month = ctx.evaluation.planning_snapshot
    snapshot = f"the planning snapshot PMCS {month_name(month)}" if month else "no dated planning snapshot"
    return f"As of {snapshot} (the newest in the records) and the build date {ctx.today.isoformat()}."


def milestone_pages(ctx: RenderContext) -> Mapping[str, str]:
    """Milestone or plan id -> name of its page, in page order (HTML builders only)."""
    return ctx.milestone_pages if ctx.writes_html else {}


def milestone_link(ctx: RenderContext, milestone_id: str) -> Inline:
    page = milestone_pages(ctx).get(milestone_id)
    if page is None or ctx.need(milestone_id) is None:
        return ctx.link(milestone_id)
    return ctx.doc_link(page, milestone_id)


def link_list(ctx: RenderContext, ids: list[str], separator: str = ", ") -> list[Inline]:
    parts: list[Inline] = []
    for index, milestone_id in enumerate(ids):
        if index:
            parts.append(separator)
        parts.append(milestone_link(ctx, milestone_id))
    return parts or [NO_VALUE]


def successors(ctx: RenderContext, milestone_id: str) -> list[str]:
    return sorted(ctx.evaluation.graph.linked_from(milestone_id, "after"), key=natural_key)


def state_badge(facts: MilestoneFacts) -> list[Inline]:
    return [badge(facts.state, "m"), " " + facts.distance()]


def milestone_fingerprint(ctx: RenderContext, milestone_id: str) -> str:
    """Everything `milestone_page_html` shows, hashed: its page is re-written only when this changes."""
    milestone = ctx.need(milestone_id)
    if milestone is None:
        return "missing"
    related = [*milestone.targets("after"), *successors(ctx, milestone_id)]
    plans = plans_serving(milestone_id, ctx.evaluation.graph)
    shown = [
        ctx.today.isoformat(),
        as_of(ctx),
        ctx.evaluation.planning_snapshot,
        milestone.title,
        milestone.file,
        repr(sorted(milestone.fields.items())),
        repr(sorted(milestone.links.items())),
        repr(successors(ctx, milestone_id)),
        repr([(i, n.file, sorted(n.fields.items())) if (n := ctx.need(i)) else (i,) for i in related]),
        repr([(p, plan_totals(plan_executions(p, ctx.evaluation.truth.history, ctx.evaluation.graph))) for p in plans]),
    ]
    for need, why in needed_items(ctx, milestone):
        tests = [(t.id, result_of(ctx, t.id)) for t in ctx.evaluation.graph.tests(need.id)]
        shown.append(
            f"{need.id}\x1f{need.title}\x1f{need.priority}\x1f{status_of(ctx, need)}\x1f{why}\x1f{need.file}"
            f"\x1f{evidence_text(ctx, need.id)}\x1f{ctx.evaluation.truth.signoff.get(need.id)}\x1f{tests}"
        )
    return hashlib.sha1("\x1e".join(shown).encode()).hexdigest()


def page_heading(need: Need) -> str:
    return f"{need.id}: {need.title}" if need.title else need.id


def facts_html(ctx: RenderContext, facts: list[tuple[str, Cell]]) -> str:
    """A field list, as the docutils HTML writer writes one."""
    parts = ['<dl class="trace-milestone-facts field-list simple">\n']
    for index, (name, value) in enumerate(facts):
        parity = "field-odd" if index % 2 == 0 else "field-even"
        parts.append(
            f'<dt class="{parity}">{escape(name)}<span class="colon">:</span></dt>\n'
            f'<dd class="{parity}">{unbroken_dates(cell_html(value, ctx.links))}\n'
            "</dd>\n"
        )
    parts.append("</dl>\n")
    return "".join(parts)


def section_open(heading: str) -> str:
    anchor = escape(nodes.make_id(heading) or "page")
    return (
        f'<section id="{anchor}">\n<h1>{text_html(heading)}<a class="headerlink" href="#{anchor}" '
        'title="Link to this heading">#</a></h1>\n'
    )


def _dated(date: PlanningDate, milestone_id: str) -> str:
    return f"{date.date.isoformat()} ({date.source(milestone_id)})"


ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
TAG = re.compile(r"(<[^>]*>)")


def unbroken_dates(html: str) -> str:
    """Each ISO date of the text (not of a tag's attributes) kept on one line: a line may break after a hyphen."""
    parts = TAG.split(html)
    return "".join(
        part if part.startswith("<") else ISO_DAY.sub(lambda m: f'<span class="trace-nowrap">{m.group(0)}</span>', part)
        for part in parts
    )


def _lead(milestone: Need, facts: MilestoneFacts, counts: tuple[int, int, int, int]) -> str:
    """The page's answer, first: the state, the date that decides it, and what stands in the way."""
    items, blocking, unproven, unsigned = counts
    if facts.actual:
        text = f"{milestone.id} is completed: {facts.actual.date.isoformat()} ({facts.actual.source})."
    elif facts.latest:
        text = (
            f"{milestone.id} is {facts.state}: {facts.distance()} against its latest date "
            f"{_dated(facts.latest, milestone.id)}."
        )
    else:
        text = f"{milestone.id} has no date recorded."
    if facts.last_seen:
        text += f" The planning records list it last in {month_name(facts.last_seen)}."
    if items:
        text += (
            f" {blocking} of the {items} items it needs are not yet verified: {unproven} without full evidence, "
            f"{unsigned} not signed off."
        )
    return f'<p class="trace-lead">{unbroken_dates(text_html(text))}</p>\n'


def _facts(ctx: RenderContext, milestone: Need, facts: MilestoneFacts) -> list[tuple[str, Cell]]:
    found: list[tuple[str, Cell]] = [("State", state_badge(facts))]
    if facts.actual:
        found.append(("Completed", f"{facts.actual.date.isoformat()} ({facts.actual.source}; decides)"))
        for other in facts.other_completions:
            found.append(("Also recorded", f"{other.date.isoformat()} ({other.source}; does not decide)"))
        found.append(("Which record decides", DECIDING_RULE))
    elif facts.latest:
        found.append(("Latest date", _dated(facts.latest, milestone.id)))
    baselines = [_dated(b, milestone.id) for b in facts.baselines]
    found.append(("Baselines", "; ".join(baselines) or NO_VALUE))
    if facts.actual:
        if facts.late_days is not None and facts.late_baseline:
            found.append(
                (
                    "Against the baseline",
                    f"{facts.late_days:+d} days against {_dated(facts.late_baseline, milestone.id)}",
                )
            )
        else:
            found.append(("Against the baseline", "no baseline in force before completion in the records"))
    found.append(
        (
            "Slip",
            f"{facts.slip_days:+d} days: the latest date (or the actual one) minus the first planning date known"
            if facts.slip_days is not None
            else NO_VALUE,
        )
    )
    if facts.renamed:
        found.append(
            (
                "Listed later as",
                ", ".join(f"{code} (mapping confidence {level})" for code, level in facts.renamed.items())
                + "; evidence in data/milestone_renames.csv",
            )
        )
    found.append(("After (predecessors)", _neighbours(ctx, sorted(milestone.targets("after"), key=natural_key))))
    found.append(("Before (successors)", _neighbours(ctx, successors(ctx, milestone.id))))
    found.append(("Planning", planning_as_of(ctx)))
    found.append(("Evidence and sign-off", as_of(ctx)))
    scope = scope_priorities(milestone)
    if scope:
        found.append(("Scope", "every active requirement of priority " + ", ".join(f"P{p}" for p in scope)))
    return found


def _neighbours(ctx: RenderContext, ids: list[str]) -> Cell:
    """Each neighbouring milestone with its state."""
    if not ids:
        return NO_VALUE
    rows: list[list[Inline]] = []
    for neighbour_id in ids:
        need = ctx.need(neighbour_id)
        row: list[Inline] = [milestone_link(ctx, neighbour_id)]
        if need is not None and need.type == "milestone":
            row += [" ", *state_badge(facts_of(ctx, need))]
        else:
            row.append(" (not in the catalogue)")
        rows.append(row)
    return lines(rows)


def _plans_html(ctx: RenderContext, milestone: Need) -> list[str]:
    plans = plans_serving(milestone.id, ctx.evaluation.graph)
    if not plans:
        return []
    rows = []
    for plan_id in plans:
        plan = ctx.evaluation.graph.needs[plan_id]
        executions = plan_executions(plan_id, ctx.evaluation.truth.history, ctx.evaluation.graph)
        totals = plan_totals(executions)
        rows.append(
            Row(
                [
                    [milestone_link(ctx, plan_id), " ", Span(plan.title, "trace-title")],
                    plan.get("cycle") or NO_VALUE,
                    plan.get("report") or NO_VALUE,
                    str(len(executions)),
                    ", ".join(f"{count} {word}" for word, count in sorted(totals.items(), key=lambda i: -i[1]))
                    or "no execution recorded",
                ]
            )
        )
    return [
        rubric(f"Test plans serving {milestone.id}"),
        page_table_html(ctx, ["Plan", "Cycle", "Report", "Executions", "Results"], rows, classes=["trace-plans"]),
    ]


def _history_html(ctx: RenderContext, milestone: Need, facts: MilestoneFacts) -> list[str]:
    if not facts.history:
        return []
    rows = [
        Row(
            [
                month_name(d.month) or "not stated",
                d.date.isoformat(),
                "completion" if d.completed else d.kind,
                d.code or milestone.id,
            ]
        )
        for d in facts.history
    ]
    result = [rubric(f"Planning history ({len(rows)} dates)")]
    points = facts.forecast_points()
    if len(points) > 1:
        chart = forecast_history(
            [ForecastSeries(milestone.id, points)], f"Forecast history of {milestone.id}", height=260, labelled=True
        )
        result.append(figure(chart))
    result.append(
        page_table_html(ctx, ["Snapshot", "Date", "Kind", "Listed as"], rows, classes=["trace-planning-history"])
    )
    return result


def milestone_page_html(ctx: RenderContext, milestone_id: str) -> str:
    """The body of a milestone's page: the answer, facts, blockers then the rest, plans, progress, history."""
    milestone = ctx.need(milestone_id)
    if milestone is None or milestone.type != "milestone":
        return f"<p>No milestone {escape(milestone_id)}.</p>\n"
    facts = facts_of(ctx, milestone)
    items = needed_items(ctx, milestone)
    truth = ctx.evaluation.truth
    counts = (
        len(items),
        sum(1 for need, _ in items if is_blocking(ctx, need)),
        sum(1 for need, _ in items if truth.evidence.get(need.id) not in (Evidence.FULLY_VERIFIED, None)),
        sum(1 for need, _ in items if need.id in truth.signoff and not truth.signed_off(need.id)),
    )
    result = [section_open(page_heading(milestone)), _lead(milestone, facts, counts)]
    result.append(facts_html(ctx, _facts(ctx, milestone, facts)))
    if items:
        result += items_html(ctx, milestone, items)
    else:
        result.append(
            "<p>No item needs this milestone: no requirement links to it and its title claims no priority.</p>\n"
        )
    result += _plans_html(ctx, milestone)
    if items:
        result += progress_html(ctx, milestone, items)
    result += _history_html(ctx, milestone, facts)
    result.append("</section>\n")
    return "".join(result)
