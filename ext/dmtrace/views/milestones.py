"""Renders one milestone's page (due, distance from the build date, items with their verification state, evidence
and sign-off, progress) and the milestones index."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html import escape

from docutils import nodes

from dmtrace.core.model import FORECAST_ENTRY, ISO_DATE, ISO_MONTH, PRIORITIES, REQUIREMENT_TYPES, Need, natural_key
from dmtrace.core.status import Verification, priority_rank
from dmtrace.views.cells import as_of, evidence_cell, evidence_text, signoff_cell, signoff_text, status_of, title_cell
from dmtrace.views.charts import BarRow, ForecastSeries, TimelineItem, forecast_history, stacked_bars, timeline
from dmtrace.views.context import RenderContext, badge, css_class, percent
from dmtrace.views.markup import Inline, Row, Span, cell_html, table, table_html, text_html

# A milestone titled like "All P1a DM requirements verified" or "All 1a,1b DM requirements verified" is about
# every active requirement of those priorities, whether or not each one links to it.
SCOPE_TITLE = re.compile(
    r"\ball\s+(?P<priorities>(?:p?(?:1a|1b|2|3)\b[\s,/&]*(?:and\s+)?)+).*\brequirements\b", re.IGNORECASE
)
STATES = [v.value for v in Verification]
MAX_CHAINS = 40


def parse_day(value: str, end_of_month: bool = True) -> dt.date | None:
    """An ISO date, or a YYYY-MM month read as its last day (due 'in' that month)."""
    value = value.strip()
    try:
        if ISO_DATE.match(value):
            return dt.date.fromisoformat(value)
        if ISO_MONTH.match(value):
            year, month = int(value[:4]), int(value[5:])
            return dt.date(year, month, calendar.monthrange(year, month)[1] if end_of_month else 1)
    except ValueError:
        return None
    return None


def scope_priorities(milestone: Need) -> list[str]:
    match = SCOPE_TITLE.search(milestone.title)
    if not match:
        return []
    return [p for p in PRIORITIES if re.search(rf"(?<![0-9]){p}\b", match["priorities"].lower())]


def forecast_points(milestone: Need) -> list[tuple[dt.date, dt.date]]:
    points = []
    for entry in milestone.get("forecast").split():
        match = FORECAST_ENTRY.match(entry)
        made = parse_day(match["made"], end_of_month=False) if match else None
        due = parse_day(match["due"]) if match else None
        if made and due:
            points.append((made, due))
    return sorted(points)


@dataclass(frozen=True)
class MilestoneState:
    due: dt.date | None
    completed: dt.date | None
    state: str  # completed / overdue / upcoming
    distance: str


def milestone_state(milestone: Need, today: dt.date) -> MilestoneState:
    due = parse_day(milestone.get("due"))
    completed = parse_day(milestone.get("completed"))
    if completed:
        return MilestoneState(due, completed, "completed", f"completed {completed.isoformat()}")
    if due is None:
        return MilestoneState(None, None, "upcoming", "no due date")
    days = (due - today).days
    if days < 0:
        return MilestoneState(due, None, "overdue", f"overdue by {-days} day{'s' if days != -1 else ''}")
    distance = "due today" if days == 0 else f"due in {days} day{'s' if days != 1 else ''}"
    return MilestoneState(due, None, "upcoming", distance)


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
    items = []
    for need in candidates.values():
        reasons = []
        if milestone.id in need.targets("milestone"):
            reasons.append("linked")
        if need.priority in scope and need.is_active:
            reasons.append(f"all P{need.priority}")
        if reasons:
            items.append((need, ", ".join(reasons)))
    return sorted(items, key=lambda item: (priority_rank(item[0].priority), natural_key(item[0].id)))


def milestone_pages(ctx: RenderContext) -> Mapping[str, str]:
    """Milestone id -> name of its page, in page order (HTML builders only)."""
    return ctx.milestone_pages if ctx.writes_html else {}


def _milestone_link(ctx: RenderContext, milestone_id: str) -> Inline:
    page = milestone_pages(ctx).get(milestone_id)
    if page is None or ctx.need(milestone_id) is None:
        return ctx.link(milestone_id)
    return ctx.doc_link(page, milestone_id)


def _link_list(ctx: RenderContext, ids: list[str], separator: str = ", ") -> list[Inline]:
    parts: list[Inline] = []
    for index, milestone_id in enumerate(ids):
        if index:
            parts.append(separator)
        parts.append(_milestone_link(ctx, milestone_id))
    return parts or ["—"]


def _successors(ctx: RenderContext, milestone_id: str) -> list[str]:
    return sorted(ctx.evaluation.graph.linked_from(milestone_id, "after"), key=natural_key)


def _verification_counts(ctx: RenderContext, items: list[tuple[Need, str]]) -> Counter[str]:
    return Counter(status_of(ctx, need).verification.value for need, _ in items)


def milestone_fingerprint(ctx: RenderContext, milestone_id: str) -> str:
    """Everything `milestone_page_html` shows, hashed: its page is re-written only when this changes."""
    milestone = ctx.need(milestone_id)
    if milestone is None:
        return "missing"
    # Files too: a link to a card names the page the need is on.
    related = [*milestone.targets("after"), *_successors(ctx, milestone_id)]
    shown = [
        ctx.today.isoformat(),
        as_of(ctx),
        milestone.title,
        milestone.file,
        repr(sorted(milestone.fields.items())),
        repr(sorted(milestone.links.items())),
        repr(_successors(ctx, milestone_id)),
        repr([(i, n.file if (n := ctx.need(i)) else "") for i in related]),
    ]
    shown += [
        f"{n.id}\x1f{n.title}\x1f{n.priority}\x1f{status_of(ctx, n)}\x1f{why}\x1f{n.file}"
        f"\x1f{ctx.evaluation.truth.evidence.get(n.id)}\x1f{ctx.evaluation.truth.signoff.get(n.id)}"
        for n, why in needed_items(ctx, milestone)
    ]
    return hashlib.sha1("\x1e".join(shown).encode()).hexdigest()


def page_heading(milestone: Need) -> str:
    return f"{milestone.id}: {milestone.title}" if milestone.title else milestone.id


def _facts_html(ctx: RenderContext, facts: list[tuple[str, list[Inline] | str]]) -> str:
    """A field list, as the docutils HTML writer writes one."""
    parts = ['<dl class="trace-milestone-facts field-list simple">\n']
    for index, (name, value) in enumerate(facts):
        parity = "field-odd" if index % 2 == 0 else "field-even"
        parts.append(
            f'<dt class="{parity}">{escape(name)}<span class="colon">:</span></dt>\n'
            f'<dd class="{parity}">{cell_html([value] if isinstance(value, str) else value, ctx.links)}\n'
            "</dd>\n"
        )
    parts.append("</dl>\n")
    return "".join(parts)


def _figure(svg: str) -> str:
    return f"<figure class='trace-figure'>{svg}</figure>"


def _rubric(text: str) -> str:
    return f'<p class="rubric">{text_html(text)}</p>\n'


def milestone_page_html(ctx: RenderContext, milestone_id: str) -> str:
    """The body of a milestone's page: heading, facts, item counts, progress chart, items, forecast history."""
    milestone = ctx.need(milestone_id)
    if milestone is None or milestone.type != "milestone":
        return f"<p>No milestone {escape(milestone_id)}.</p>\n"
    heading = page_heading(milestone)
    anchor = escape(nodes.make_id(heading) or "milestone")
    result = [
        f'<section id="{anchor}">\n<h1>{text_html(heading)}<a class="headerlink" href="#{anchor}" '
        'title="Link to this heading">#</a></h1>\n'
    ]
    state = milestone_state(milestone, ctx.today)
    facts: list[tuple[str, list[Inline] | str]] = [
        ("Milestone", [ctx.link(milestone.id), " ", Span(milestone.title)]),
        ("Due", milestone.get("due") or "—"),
        ("Status", [badge(state.state, "m"), f" {state.distance} (build date {ctx.today.isoformat()})"]),
        ("After (predecessors)", _link_list(ctx, sorted(milestone.targets("after"), key=natural_key))),
        ("Before (successors)", _link_list(ctx, _successors(ctx, milestone.id))),
        ("Evidence and sign-off", as_of(ctx)),
    ]
    scope = scope_priorities(milestone)
    if scope:
        facts.append(("Scope", "every active requirement of priority " + ", ".join(f"P{p}" for p in scope)))
    result.append(_facts_html(ctx, facts))
    items = needed_items(ctx, milestone)
    counts = _verification_counts(ctx, items)
    result.append(_rubric(f"Items needed by {milestone.id} ({len(items)})"))
    count_row = Row(
        [str(len(items)), *(str(counts[s]) for s in STATES), percent(counts[Verification.VERIFIED.value], len(items))]
    )
    result.append(
        table_html(ctx.links, ["Items", *STATES, "verified %"], [count_row], classes=["trace-milestone-counts"])
    )
    by_priority: dict[str, Counter[str]] = {}
    for need, _ in items:
        by_priority.setdefault(need.priority or "none", Counter())[status_of(ctx, need).verification.value] += 1
    if items:
        bars = [
            BarRow(f"P{p}" if p in PRIORITIES else p, [(s, by_priority[p][s]) for s in STATES])
            for p in sorted(by_priority, key=priority_rank)
        ]
        result.append(
            _figure(stacked_bars(bars, f"Progress of {milestone.id}: verification state of the items it needs"))
        )
        rows = (
            Row(
                [
                    title_cell(ctx, n),
                    n.priority or "—",
                    badge(status_of(ctx, n).trace.value, "s"),
                    badge(status_of(ctx, n).verification.value, "v"),
                    evidence_cell(ctx, n.id),
                    signoff_cell(ctx, n.id),
                    why,
                ],
                classes=[
                    "trace-row",
                    css_class("p", n.priority),
                    css_class("s", status_of(ctx, n).trace.value),
                    css_class("v", status_of(ctx, n).verification.value),
                    css_class("e", evidence_text(ctx, n.id)),
                    css_class("so", signoff_text(ctx, n.id)),
                ],
            )
            for n, why in items
        )
        result.append(
            table_html(
                ctx.links,
                ["Requirement", "Priority", "Traced", "Verification", "Evidence", "Sign-off", "Listed because"],
                rows,
                classes=["trace-matrix", "trace-milestone-items"],
                widths=[36, 7, 11, 11, 12, 13, 10],
                filter_label=f"Items needed by {milestone.id}",
            )
        )
    points = forecast_points(milestone)
    if points:
        result.append(_rubric("Forecast history"))
        result.append(
            _figure(
                forecast_history(
                    [ForecastSeries(milestone.id, points)], f"Forecast history of {milestone.id}", height=260
                )
            )
        )
    result.append("</section>\n")
    return "".join(result)


def _index_order(ctx: RenderContext, milestones: list[Need]) -> list[Need]:
    rank = {"overdue": 0, "upcoming": 1, "completed": 2}

    def key(m: Need) -> tuple[int, dt.date, tuple[object, ...]]:
        state = milestone_state(m, ctx.today)
        return rank[state.state], state.completed or state.due or dt.date.max, natural_key(m.id)

    return sorted(milestones, key=key)


def _chains(ctx: RenderContext, milestones: dict[str, Need]) -> Iterator[list[str]]:
    """Maximal predecessor -> successor paths among the milestones, at most MAX_CHAINS of them."""
    emitted = 0
    roots = [
        m
        for m in sorted(milestones, key=natural_key)
        if not any(t in milestones for t in milestones[m].targets("after")) and _successors(ctx, m)
    ]
    for root in roots:
        # Depth first with an explicit stack (a chain may be thousands long); `on_path` keeps each path simple.
        path, on_path = [root], {root}

        def nexts_of(milestone_id: str, on_path: set[str] = on_path) -> list[str]:
            return [s for s in _successors(ctx, milestone_id) if s in milestones and s not in on_path]

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


def milestones_index(ctx: RenderContext) -> list[nodes.Node]:
    graph = ctx.evaluation.graph
    milestones = {n.id: n for n in graph.needs.values() if n.type == "milestone"}
    if not milestones:
        return [nodes.paragraph("", "No milestones yet.")]
    ordered = _index_order(ctx, list(milestones.values()))
    rows = []
    for m in ordered:
        state = milestone_state(m, ctx.today)
        items = needed_items(ctx, m)
        done = _verification_counts(ctx, items)[Verification.VERIFIED.value]
        rows.append(
            Row(
                [
                    [_milestone_link(ctx, m.id), " ", Span(m.title, "trace-title")],
                    m.get("due") or "—",
                    [badge(state.state, "m"), " " + state.distance],
                    _link_list(ctx, sorted(m.targets("after"), key=natural_key)),
                    _link_list(ctx, _successors(ctx, m.id)),
                    f"{done} / {len(items)}" if items else "—",
                ],
                classes=["trace-row", css_class("m", state.state)],
            )
        )
    result: list[nodes.Node] = []
    dated = [(m, milestone_state(m, ctx.today)) for m in milestones.values()]
    timeline_items = sorted(
        (TimelineItem(m.id, when, s.state) for m, s in dated if (when := s.completed or s.due)),
        key=lambda i: (i.when, natural_key(i.label)),
    )
    if timeline_items:
        result.append(nodes.rubric("Timeline", "Timeline"))
        svg = timeline(timeline_items, ctx.today, "Milestones in date order (completion date when completed)")
        result.append(nodes.raw("", f"<figure class='trace-figure'>{svg}</figure>", format="html"))
    heading = "Milestones (overdue first)"
    result.append(nodes.rubric(heading, heading))
    result.append(
        table(
            ctx,
            ["Milestone", "Due", "Status", "After", "Before", "Items verified"],
            rows,
            classes=["trace-matrix", "trace-milestones"],
            widths=[34, 10, 18, 14, 14, 10],
            filter_label="Milestones",
        )
    )
    chains = list(_chains(ctx, milestones))
    if chains:
        result.append(nodes.rubric("Chains (predecessor → successor)", "Chains (predecessor → successor)"))
        chain_list = nodes.bullet_list(classes=["trace-chains"])
        for path in chains:
            item = nodes.list_item()
            item += ctx.nodes.paragraph(_link_list(ctx, path, separator=" → "))
            chain_list += item
        result.append(chain_list)
    series = [
        ForecastSeries(m.id, forecast_points(m)) for m in sorted(milestones.values(), key=lambda n: natural_key(n.id))
    ]
    series = [s for s in series if len(s.points) > 1]
    if series:
        heading = "Forecast history"
        result.append(nodes.rubric(heading, heading))
        svg = forecast_history(series, "How each milestone's forecast date moved", height=360)
        result.append(nodes.raw("", f"<figure class='trace-figure'>{svg}</figure>", format="html"))
    return result
