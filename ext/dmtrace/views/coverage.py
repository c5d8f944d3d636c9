"""Renders the coverage summary (tables and SVG charts per priority) and the dashboard's headline numbers: the
tool's trace measure, and the DM requirements' evidence and sign-off (core/truth.py), each saying what it counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from docutils import nodes

from dmtrace.core.evidence import EVIDENCE_ORDER, Evidence
from dmtrace.core.model import PRIORITIES, Need, natural_key
from dmtrace.core.outcomes import PASSES, Outcome
from dmtrace.core.signoff import SIGNOFF_ORDER, SignOff
from dmtrace.core.status import Trace, Verification, priority_rank
from dmtrace.views.cells import as_of, result_of, status_of, title_cell
from dmtrace.views.charts import BarRow, stacked_bars
from dmtrace.views.context import RenderContext, badge, css_class, percent
from dmtrace.views.markup import Row, table
from dmtrace.views.suspects import suspect_section

VERIFICATION_ORDER: tuple[Verification, ...] = tuple(Verification)
OUTCOME_ORDER: tuple[Outcome, ...] = tuple(Outcome)
NO_PRIORITY = "none"
KIND_TITLES = {"req": "Requirements", "subreq": "Sub-requirements (verification elements)"}
DESCOPED = "Descoped"  # the last category of evidence and of sign-off alike: counted apart
DM_COUNTED = (
    "Counted: DM requirements (requirements only, not their verification elements), by LSE-61 priority; "
    "descoped counted apart (a requirement LSE-61 descopes is Descoped whatever its record), the percentages are "
    "of those not descoped."
)
EVIDENCE_WHAT = "Evidence: what the last run of each test case shows, in the VCD's categories (LDM-692)."
SIGNOFF_WHAT = (
    "Sign-off: the verification elements' recorded statuses, rolled up by DMTR-412's rule "
    "(Fully Verified: every VE Verified or Monitoring)."
)


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
    result: list[nodes.Node] = [*truth_sections(ctx), *suspect_section(ctx)]
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


def dm_requirements(ctx: RenderContext) -> list[Need]:
    """The DM requirements this view shows: requirements (not VEs) with evidence and sign-off (core/truth.py)."""
    evidence = ctx.evaluation.truth.evidence
    return [n for n in ctx.evaluation.graph.needs.values() if n.type == "req" and n.id in evidence]


def evidence_of(ctx: RenderContext, need: Need) -> str:
    return ctx.evaluation.truth.evidence[need.id].value


def signoff_of(ctx: RenderContext, need: Need) -> str:
    """A requirement's sign-off as the tables count it: Descoped when LSE-61 descopes it, whatever its record."""
    state = ctx.evaluation.truth.signoff.get(need.id)
    if not need.is_active:
        return SignOff.DESCOPED.value
    return state.status if state else SignOff.NOT_STARTED.value


def truth_counts(needs: Iterable[Need], value_of: Callable[[Need], str]) -> dict[str, Counter[str]]:
    """Per priority label: how many of `needs` are in each category `value_of` gives."""
    counts: dict[str, Counter[str]] = {}
    for need in needs:
        counts.setdefault(need.priority or NO_PRIORITY, Counter())[value_of(need)] += 1
    return counts


def _truth_table(
    ctx: RenderContext, counts: dict[str, Counter[str]], columns: Sequence[str], classes: str
) -> nodes.Node:
    """Priority, requirements, one column per category (percent of those not descoped), then Descoped apart."""
    shown = [c for c in columns if c != DESCOPED]
    rows = []
    total_counter: Counter[str] = sum(counts.values(), Counter())
    for label, counter in [*((p, counts[p]) for p in _priority_labels(counts)), ("all", total_counter)]:
        total = sum(counter.values())
        counted = total - counter[DESCOPED]
        cells = [f"P{label}" if label in PRIORITIES else label, str(total)]
        cells += [f"{counter[c]} ({percent(counter[c], counted)})" if counter[c] else "0" for c in shown]
        cells.append(str(counter[DESCOPED]))
        rows.append(Row(cells, classes=[css_class("p", label)] + (["trace-total"] if label == "all" else [])))
    return table(ctx, ["Priority", "Requirements", *shown, DESCOPED], rows, classes=["trace-counts", *classes.split()])


def _caption(text: str) -> nodes.paragraph:
    return nodes.paragraph(text, text, classes=["trace-caption"])


def truth_sections(ctx: RenderContext) -> list[nodes.Node]:
    """The DM requirements' evidence and sign-off per priority: a chart and a table each, captioned."""
    needs = dm_requirements(ctx)
    if not needs:
        return []
    result: list[nodes.Node] = []
    sections = [
        ("evidence", EVIDENCE_WHAT, [e.value for e in EVIDENCE_ORDER], lambda n: evidence_of(ctx, n)),
        ("signoff", SIGNOFF_WHAT, [s.value for s in SIGNOFF_ORDER], lambda n: signoff_of(ctx, n)),
    ]
    for kind, what, columns, value_of in sections:
        heading = f"DM requirements: {'evidence' if kind == 'evidence' else 'sign-off'}"
        counts = truth_counts(needs, value_of)
        result.append(nodes.rubric(heading, heading, ids=[f"trace-dm-{kind}"]))
        result.append(_caption(f"{what} {DM_COUNTED} {as_of(ctx)}"))
        result.append(_bars(counts, columns, f"{heading} per priority"))
        result.append(_truth_table(ctx, counts, columns, f"trace-{kind}-counts"))
    return result


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


def p1a_headline(ctx: RenderContext) -> list[nodes.Node]:
    """The P1a DM requirements' sign-off and evidence, in one sentence that says what it counts, and cards."""
    p1a = [n for n in dm_requirements(ctx) if n.priority == "1a" and n.is_active]
    if not p1a:
        return []
    signed = sum(signoff_of(ctx, n) == SignOff.FULLY_VERIFIED.value for n in p1a)
    proven = sum(evidence_of(ctx, n) == Evidence.FULLY_VERIFIED.value for n in p1a)
    text = f"P1a DM requirements: {signed} signed off Fully Verified of {len(p1a)}; evidence Fully Verified: {proven}."
    snapshot = ctx.evaluation.truth.snapshot
    cards = nodes.container(classes=["trace-cards", "trace-truth-cards"])
    cards += _card(str(len(p1a)), "active P1a DM requirements", "requirements only: their VEs are not counted")
    cards += _card(
        f"{signed} / {len(p1a)}",
        "P1a DM requirements signed off Fully Verified",
        f"sign-off snapshot of {snapshot.date}" if snapshot else "no sign-off snapshot",
    )
    cards += _card(
        f"{proven} / {len(p1a)}",
        "P1a DM requirements with evidence Fully Verified",
        "every test case's last run a pass",
    )
    return [nodes.paragraph(text, text, classes=["trace-headline"]), _caption(as_of(ctx)), cards]


def dashboard(ctx: RenderContext) -> list[nodes.Node]:
    graph = ctx.evaluation.graph
    requirements = sorted(
        (n for n in graph.needs.values() if n.type in KIND_TITLES and n.is_active),
        key=lambda n: (priority_rank(n.priority), natural_key(n.id)),
    )
    p1a_items = [n for n in requirements if n.priority == "1a"]
    p1a = [n for n in p1a_items if n.type == "req"]  # the cards count requirements, not their VEs
    traced = [n for n in p1a if status_of(ctx, n).trace is not Trace.UNTRACED]
    verified = [n for n in p1a if status_of(ctx, n).verification is Verification.VERIFIED]
    tests = [n for n in graph.needs.values() if n.type == "test"]
    passing = [t for t in tests if Outcome(result_of(ctx, t.id)[0]) in PASSES]
    untraced = [n for n in requirements if status_of(ctx, n).trace is Trace.UNTRACED]
    failing = [n for n in requirements if status_of(ctx, n).verification is Verification.FAILING]
    cards = nodes.container(classes=["trace-cards"])
    cards += _card(f"{len(traced)} / {len(p1a)}", "P1a requirements traced", "this tool's trace measure")
    cards += _card(
        f"{len(verified)} / {len(p1a)}",
        "P1a requirements verified",
        f"trace measure: {percent(len(verified), len(p1a))}",
        "trace-p1a-unverified",
    )
    cards += _card(f"{len(passing)} / {len(tests)}", "test cases passing", "latest result a pass")
    cards += _card(str(len(untraced)), "untraced (all priorities)", "active items with no test", "trace-untraced")
    result: list[nodes.Node] = [*p1a_headline(ctx), cards, *suspect_section(ctx)]
    counts = requirement_counts(ctx, "req")
    if counts:
        result.append(_bars(counts, [v.value for v in VERIFICATION_ORDER], "Requirements: verification per priority"))
    sections = [
        ("Untraced", "trace-untraced", untraced),
        ("Failing", "trace-failing", failing),
        (
            "P1a requirements and VEs not yet verified",
            "trace-p1a-unverified",
            [
                n
                for n in p1a_items
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
