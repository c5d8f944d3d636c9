"""Renders the coverage summary (tables and SVG charts per priority) and the dashboard's headline numbers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from docutils import nodes

from dmtrace.core.model import PRIORITIES, Need, natural_key
from dmtrace.core.outcomes import PASSES, Outcome
from dmtrace.core.status import Trace, Verification, priority_rank
from dmtrace.views.cells import result_of, status_of, title_cell
from dmtrace.views.charts import BarRow, stacked_bars
from dmtrace.views.context import RenderContext, badge, css_class, percent
from dmtrace.views.markup import Row, table

VERIFICATION_ORDER: tuple[Verification, ...] = tuple(Verification)
OUTCOME_ORDER: tuple[Outcome, ...] = tuple(Outcome)
NO_PRIORITY = "none"
KIND_TITLES = {"req": "Requirements", "subreq": "Sub-requirements (verification elements)"}


def _priority_labels(values: Iterable[str]) -> list[str]:
    present = set(values)
    return [p for p in PRIORITIES if p in present] + ([NO_PRIORITY] if NO_PRIORITY in present else [])


def requirement_counts(ctx: RenderContext, kind: str) -> dict[str, Counter[str]]:
    """Per priority label: how many needs of `kind` are in each verification state."""
    counts: dict[str, Counter[str]] = {}
    for need in ctx.evaluation.graph.needs.values():
        if need.type == kind:
            label = need.priority or NO_PRIORITY
            counts.setdefault(label, Counter())[status_of(ctx, need).verification.value] += 1
    return counts


def test_priority(ctx: RenderContext, test: Need) -> str:
    """A test case counts under the most urgent priority among what it verifies."""
    graph = ctx.evaluation.graph
    priorities = [graph.needs[t].priority for t in test.targets("verifies") if t in graph.needs]
    ranked = sorted((p for p in priorities if p), key=priority_rank)
    return ranked[0] if ranked else NO_PRIORITY


def outcome_counts(ctx: RenderContext) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for need in ctx.evaluation.graph.needs.values():
        if need.type == "test":
            counts.setdefault(test_priority(ctx, need), Counter())[result_of(ctx, need.id)[0]] += 1
    return counts


def _count_table(
    ctx: RenderContext, counts: dict[str, Counter[str]], columns: Sequence[str], first: str, classes: str
) -> nodes.Node:
    rows = []
    labels = _priority_labels(counts)
    total_counter: Counter[str] = sum(counts.values(), Counter())
    for label, counter in [*((p, counts[p]) for p in labels), ("all", total_counter)]:
        total = sum(counter.values())
        cells = [f"P{label}" if label in PRIORITIES else label, str(total)]
        cells += [f"{counter[c]} ({percent(counter[c], total)})" if counter[c] else "0" for c in columns]
        rows.append(Row(cells, classes=[css_class("p", label)] + (["trace-total"] if label == "all" else [])))
    return table(ctx, [first, "Total", *columns], rows, classes=["trace-counts", *classes.split()])


def _bars(counts: dict[str, Counter[str]], columns: Sequence[str], title: str) -> nodes.raw:
    rows = [
        BarRow(f"P{p}" if p in PRIORITIES else p, [(c, counts[p][c]) for c in columns])
        for p in _priority_labels(counts)
    ]
    svg = stacked_bars(rows, title)
    return nodes.raw("", f"<figure class='trace-figure'>{svg}</figure>", format="html")


def coverage(ctx: RenderContext) -> list[nodes.Node]:
    result: list[nodes.Node] = []
    states = [v.value for v in VERIFICATION_ORDER]
    for kind, heading in KIND_TITLES.items():
        counts = requirement_counts(ctx, kind)
        if not counts:
            continue
        result.append(nodes.rubric(heading, heading))
        result.append(_bars(counts, states, f"{heading}: verification state per priority"))
        result.append(_count_table(ctx, counts, states, "Priority", f"trace-coverage trace-coverage-{kind}"))
    heading = "Test cases (under the most urgent priority they verify)"
    outcomes = outcome_counts(ctx)
    if outcomes:
        words = [o.value for o in OUTCOME_ORDER]
        result.append(nodes.rubric(heading, heading))
        result.append(_bars(outcomes, words, "Test cases: latest outcome per priority"))
        result.append(_count_table(ctx, outcomes, words, "Priority", "trace-outcomes"))
    return result or [nodes.paragraph("", "No requirements or test cases yet.")]


def _card(number: str, label: str, detail: str = "", target: str = "") -> nodes.container:
    card = nodes.container(classes=["trace-card"])
    card += nodes.paragraph(number, number, classes=["trace-card-number"])
    label_node = nodes.paragraph(classes=["trace-card-label"])
    label_node += nodes.reference(label, label, refid=target) if target else nodes.Text(label)
    card += label_node
    if detail:
        card += nodes.paragraph(detail, detail, classes=["trace-card-detail"])
    return card


def _attention_table(ctx: RenderContext, needs: list[Need]) -> nodes.Node:
    rows = [
        Row(
            [
                title_cell(ctx, n),
                n.priority or "—",
                badge(status_of(ctx, n).trace.value, "s"),
                badge(status_of(ctx, n).verification.value, "v"),
            ]
        )
        for n in needs
    ]
    return table(
        ctx,
        ["Requirement", "Priority", "Traced", "Verification"],
        rows,
        classes=["trace-attention"],
        widths=[60, 10, 15, 15],
    )


def dashboard(ctx: RenderContext) -> list[nodes.Node]:
    graph = ctx.evaluation.graph
    requirements = sorted(
        (n for n in graph.needs.values() if n.type in KIND_TITLES and n.is_active),
        key=lambda n: (priority_rank(n.priority), natural_key(n.id)),
    )
    p1a = [n for n in requirements if n.priority == "1a"]
    traced = [n for n in p1a if status_of(ctx, n).trace is not Trace.UNTRACED]
    verified = [n for n in p1a if status_of(ctx, n).verification is Verification.VERIFIED]
    tests = [n for n in graph.needs.values() if n.type == "test"]
    passing = [t for t in tests if Outcome(result_of(ctx, t.id)[0]) in PASSES]
    untraced = [n for n in requirements if status_of(ctx, n).trace is Trace.UNTRACED]
    failing = [n for n in requirements if status_of(ctx, n).verification is Verification.FAILING]
    cards = nodes.container(classes=["trace-cards"])
    cards += _card(str(len(p1a)), "active P1a requirements", "requirements and sub-requirements")
    cards += _card(f"{len(traced)} / {len(p1a)}", "P1a traced", percent(len(traced), len(p1a)))
    cards += _card(
        f"{len(verified)} / {len(p1a)}", "P1a verified", percent(len(verified), len(p1a)), "trace-p1a-unverified"
    )
    cards += _card(f"{len(passing)} / {len(tests)}", "test cases passing", "latest result passed")
    cards += _card(str(len(untraced)), "untraced (all priorities)", "active items with no test", "trace-untraced")
    result: list[nodes.Node] = [cards]
    counts = requirement_counts(ctx, "req")
    if counts:
        result.append(_bars(counts, [v.value for v in VERIFICATION_ORDER], "Requirements: verification per priority"))
    sections = [
        ("Untraced", "trace-untraced", untraced),
        ("Failing", "trace-failing", failing),
        (
            "P1a not yet verified",
            "trace-p1a-unverified",
            [
                n
                for n in p1a
                if status_of(ctx, n).verification
                not in (Verification.VERIFIED, Verification.UNTRACED, Verification.FAILING)
            ],
        ),
    ]
    for heading, section_id, needs in sections:
        section_title = f"{heading} ({len(needs)})"
        rubric = nodes.rubric(section_title, section_title, ids=[section_id])
        result.append(rubric)
        result.append(_attention_table(ctx, needs) if needs else nodes.paragraph("", "None."))
    return result
