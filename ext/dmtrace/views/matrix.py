"""Renders the traceability matrix (nested or VCD layout) and the reverse matrix from the build's evaluation; the
matrix shows evidence and sign-off side by side, the VCD layout reproduces the VCD export row by row."""

from __future__ import annotations

from collections.abc import Iterator

from docutils import nodes

from dmtrace.core.milestones import NeededBy
from dmtrace.core.model import REQUIREMENT_TYPES, Need, natural_key
from dmtrace.core.outcomes import parse_outcome
from dmtrace.core.results import ResultRecord
from dmtrace.core.status import priority_rank
from dmtrace.core.vcd import (
    ELEMENT,
    LAST_RUN,
    LAST_STATUS,
    REQ_PRIORITY,
    REQUIREMENT,
    TEST_CASE,
    TEST_SPEC,
    VE_PRIORITY,
    LayoutRow,
    VcdExport,
    layout,
    other_records,
    priority_differences,
    provenance_text,
)
from dmtrace.views.cells import NO_VALUE, result_of, status_of, title_cell
from dmtrace.views.context import RenderContext, badge, css_class
from dmtrace.views.markup import Cell, Inline, NeedRef, Row, Span, lines, table
from dmtrace.views.milestones import milestone_link
from dmtrace.views.suspects import suspect_badge, suspect_class

NOT_IN_VCD = "not in the VCD"  # the note of a row the VCD export does not have


def requirements_in_tree_order(ctx: RenderContext) -> Iterator[tuple[Need, int]]:
    """Every requirement and sub-requirement once, each followed by its children (depth-first, ids in order)."""
    graph = ctx.evaluation.graph
    requirements = sorted(
        (n for n in graph.needs.values() if n.type in REQUIREMENT_TYPES), key=lambda n: natural_key(n.id)
    )
    seen: set[str] = set()

    def walk(root: Need) -> Iterator[tuple[Need, int]]:
        # An explicit stack: a chain of refinements may be thousands deep.
        stack = [(root, 0)]
        while stack:
            need, depth = stack.pop()
            if need.id in seen:
                continue
            seen.add(need.id)
            yield need, depth
            children = sorted(graph.children(need.id), key=lambda n: natural_key(n.id))
            stack.extend((child, depth + 1) for child in reversed(children))

    for need in requirements:
        if graph.parent(need) is None:
            yield from walk(need)
    for need in requirements:  # members of refinement cycles have no root; the rules report them
        yield from walk(need)


def _date_cell(when: str) -> Cell:
    return Span(when, "trace-nowrap") if when else NO_VALUE


def _test_line(ctx: RenderContext, test: Need) -> list[Inline]:
    outcome, when = result_of(ctx, test.id)
    parts: list[Inline] = [ctx.link(test.id), " ", badge(outcome, "r")]
    if when:
        parts += [" ", Span(when, "trace-date")]
    return parts


def _milestones_cell(ctx: RenderContext, needed: list[tuple[str, str]]) -> Cell:
    if not needed:
        return NO_VALUE
    return lines([milestone_link(ctx, milestone_id), Span(f" ({why})", "trace-note")] for milestone_id, why in needed)


def _tests_of(ctx: RenderContext, need: Need) -> list[Need]:
    return sorted(ctx.evaluation.graph.tests(need.id), key=lambda n: natural_key(n.id))


def as_of_paragraph(ctx: RenderContext, *sentences: str) -> nodes.paragraph:
    """What the page reads: the sentences, then which execution records and sign-off snapshot ("As of ...")."""
    text = " ".join([*sentences, ctx.evaluation.truth.as_of_text()])
    return nodes.paragraph(text, text, classes=["trace-caption", "trace-as-of"])


def _truth_cells(ctx: RenderContext, need_id: str | None) -> tuple[Cell, Cell, list[str]]:
    """A need's evidence and sign-off (status, snapshot date) in the observatory's words, and their row classes."""
    truth = ctx.evaluation.truth
    evidence = truth.evidence.get(need_id) if need_id else None
    signed = truth.signoff.get(need_id) if need_id else None
    evidence_badge: Inline = badge(evidence.value, "e") if evidence else NO_VALUE
    suspect = suspect_badge(ctx, need_id) if need_id else []
    evidence_cell: Cell = [evidence_badge, *suspect] if suspect else evidence_badge
    signoff_cell: Cell = NO_VALUE
    if signed:
        first: list[Inline] = [badge(signed.status, "so"), " "]
        first.append(Span(signed.date.isoformat() if signed.date else "no snapshot", "trace-date"))
        signoff_cell = lines([first, [Span(signed.note, "trace-note")]]) if signed.note else first
    classes = [css_class("e", evidence.value if evidence else ""), css_class("so", signed.status if signed else "")]
    return evidence_cell, signoff_cell, [*classes, *(suspect_class(ctx, need_id) if need_id else [])]


def _tree_rows(ctx: RenderContext) -> Iterator[Row]:
    milestones_needing = NeededBy(
        sorted(
            (n for n in ctx.evaluation.graph.needs.values() if n.type == "milestone"), key=lambda n: natural_key(n.id)
        )
    )
    for need, depth in requirements_in_tree_order(ctx):
        state = status_of(ctx, need)
        tests = _tests_of(ctx, need)
        evidence, signoff, truth_classes = _truth_cells(ctx, need.id)
        needed = milestones_needing(need)
        yield Row(
            cells=[
                title_cell(ctx, need),
                need.priority or NO_VALUE,
                badge(state.trace.value, "s"),
                badge(state.verification.value, "v"),
                lines(_test_line(ctx, t) for t in tests) if tests else NO_VALUE,
                _milestones_cell(ctx, needed),
                evidence,
                signoff,
            ],
            classes=[
                "trace-row",
                css_class("p", need.priority),
                css_class("s", state.trace.value),
                css_class("v", state.verification.value),
                *truth_classes,
                *(css_class("ms", milestone_id) for milestone_id, _ in needed),
            ],
            first_cell_classes=[f"trace-depth-{min(depth, 4)}"],
        )


def matrix_tree(ctx: RenderContext) -> list[nodes.Node]:
    headers = [
        "Requirement",
        "Priority",
        "Traced",
        "Verification",
        "Tests (last result, run)",
        "Milestone",
        "Evidence",
        "Sign-off (snapshot)",
    ]
    matrix = table(
        ctx,
        headers,
        _tree_rows(ctx),
        classes=["trace-matrix"],
        widths=[27, 6, 10, 10, 21, 10, 8, 8],
        filter_label="Traceability matrix",
    )
    return [as_of_paragraph(ctx), matrix]


def _site_vcd_rows(ctx: RenderContext, req: Need) -> Iterator[Row]:
    elements = [c for c in ctx.evaluation.graph.children(req.id) if c.type == "subreq"]
    groups: list[tuple[Need | None, list[Need]]] = []
    if _tests_of(ctx, req) or not elements:
        groups.append((None, _tests_of(ctx, req)))
    groups += [(element, _tests_of(ctx, element)) for element in sorted(elements, key=lambda n: natural_key(n.id))]
    req_state = status_of(ctx, req)
    for element, tests in groups:
        subject = element or req
        state = status_of(ctx, subject)
        element_cell: Cell = title_cell(ctx, element) if element else NO_VALUE
        evidence, signoff, truth_classes = _truth_cells(ctx, subject.id)
        rows_of: list[Need | None] = [*tests] or [None]  # a row without a test case: 'not covered'
        for test in rows_of:
            outcome, when = result_of(ctx, test.id) if test else ("", "")
            yield Row(
                cells=[
                    title_cell(ctx, req),
                    element_cell,
                    title_cell(ctx, test) if test else NO_VALUE,
                    _date_cell(when),
                    badge(outcome, "r") if test else badge(state.verification.value, "v"),
                    evidence,
                    signoff,
                ],
                classes=[
                    "trace-row",
                    css_class("p", subject.priority),
                    css_class("s", req_state.trace.value),
                    css_class("r", outcome or "no test case"),
                    *truth_classes,
                ],
            )


def _site_vcd(ctx: RenderContext) -> list[nodes.Node]:
    """The layout of a site without a VCD export: the site's requirements, elements and test cases."""
    reqs = sorted((n for n in ctx.evaluation.graph.needs.values() if n.type == "req"), key=lambda n: natural_key(n.id))
    rows = (row for req in reqs for row in _site_vcd_rows(ctx, req))
    headers = ["Requirement", "Verification Element", "Test Case", "Last Run", "Test Status", "Evidence", "Sign-off"]
    intro = "This site has no VCD export (trace_vcd): the rows are its requirements, elements and test cases."
    vcd = table(
        ctx,
        headers,
        rows,
        classes=["trace-matrix", "trace-vcd"],
        widths=[24, 22, 22, 9, 9, 7, 7],
        filter_label="Verification control document",
    )
    return [as_of_paragraph(ctx, intro), vcd]


VCD_HEADERS = [
    "Requirement",
    "Req. Priority",
    "Verification Element",
    "VE Priority",
    "Test Case",
    "Test Spec",
    "Last Run",
    "Last Status",
    "LSE-61 priority (where the VCD's differs)",
    "Evidence",
    "Sign-off (snapshot)",
    "Other records (execution, plan, cycle, report)",
    "Note",
]


def _id_cell(need_id: str | None, text: str) -> Cell:
    """The export's text exactly as written, linked to the card of the need it names (plain where none exists)."""
    return NeedRef(need_id or "", text) if text else ""


def _status_cell(word: str) -> Cell:
    outcome = parse_outcome(word)
    return Span(word, f"trace-badge {css_class('r', outcome.value if outcome else word)}") if word else ""


def _record_line(record: ResultRecord) -> list[Inline]:
    word = record.provenance.word or record.outcome.value
    return [
        Span(word, f"trace-badge {css_class('r', record.outcome.value)}"),
        " ",
        Span(record.when or "undated", "trace-date"),
        " ",
        provenance_text(record),
    ]


def _unknown_ids(row: LayoutRow) -> list[str]:
    named = ((row.requirement, REQUIREMENT), (row.element, ELEMENT), (row.test, TEST_CASE))
    return [row.values[column] for need_id, column in named if need_id is None and row.values[column]]


def _export_row(ctx: RenderContext, row: LayoutRow) -> Row:
    values = row.values
    differences = priority_differences(ctx.evaluation.graph, row)
    records = other_records(ctx.evaluation.truth.history, row)
    evidence, signoff, truth_classes = _truth_cells(ctx, row.subject)
    unknown = _unknown_ids(row)
    note = NOT_IN_VCD if not row.in_export else f"not on this site: {', '.join(unknown)}" if unknown else ""
    outcome = parse_outcome(values[LAST_STATUS])
    return Row(
        cells=[
            _id_cell(row.requirement, values[REQUIREMENT]),
            values[REQ_PRIORITY],
            _id_cell(row.element, values[ELEMENT]),
            values[VE_PRIORITY],
            _id_cell(row.test, values[TEST_CASE]),
            values[TEST_SPEC],
            Span(values[LAST_RUN], "trace-nowrap") if values[LAST_RUN] else "",
            _status_cell(values[LAST_STATUS]),
            lines([f"{label}: {priority}"] for label, priority in differences) if differences else "",
            evidence,
            signoff,
            lines(_record_line(record) for record in records) if records else "",
            note,
        ],
        classes=[
            "trace-row",
            css_class("p", values[VE_PRIORITY] or values[REQ_PRIORITY]),
            css_class("r", outcome.value if outcome else values[LAST_STATUS] or "no test case"),
            *truth_classes,
            *(["trace-vcd-extra"] if not row.in_export else []),
            *(["trace-priority-differs"] if differences else []),
        ],
    )


def _export_vcd(ctx: RenderContext, export: VcdExport) -> list[nodes.Node]:
    """The VCD export row by row, in its order, its eight columns as written; then the site's rows it lacks."""
    rows = layout(ctx.evaluation.graph, export, ctx.evaluation.latest)
    extra = sum(1 for row in rows if not row.in_export)
    lacking = "The site has no row the export lacks."
    if extra:
        rows_follow = (
            "1 row the export does not have follows" if extra == 1 else f"{extra} rows the export does not have follow"
        )
        lacking = f"{rows_follow}, marked \u201c{NOT_IN_VCD}\u201d."
    intro = (
        f"The first {len(export.rows)} rows are the VCD export {export.file}, in its order, its eight columns as "
        "written. The export carries only each test case's last run date and status: where the site's records say "
        f"more (a campaign's execution key, test plan, cycle and report), they are shown beside it. {lacking}"
    )
    vcd = table(
        ctx,
        VCD_HEADERS,
        (_export_row(ctx, row) for row in rows),
        classes=["trace-matrix", "trace-vcd", "trace-vcd-export"],
        widths=[10, 5, 8, 5, 8, 6, 8, 8, 8, 8, 9, 11, 6],
        filter_label="Verification control document",
    )
    return [as_of_paragraph(ctx, intro), vcd]


def matrix_vcd(ctx: RenderContext) -> list[nodes.Node]:
    return _export_vcd(ctx, ctx.vcd) if ctx.vcd is not None else _site_vcd(ctx)


def _best_priority(needs: list[Need]) -> str:
    ranked = sorted((n.priority for n in needs if n.priority), key=priority_rank)
    return ranked[0] if ranked else ""


def _reverse_rows(ctx: RenderContext) -> Iterator[Row]:
    graph = ctx.evaluation.graph
    tests = sorted((n for n in graph.needs.values() if n.type == "test"), key=lambda n: natural_key(n.id))
    for test in tests:
        verified = [graph.needs[t] for t in test.targets("verifies") if t in graph.needs]
        outcome, when = result_of(ctx, test.id)
        targets = lines(
            [
                ctx.link(n.id),
                f" (P{n.priority}) " if n.priority else " ",
                badge(status_of(ctx, n).verification.value, "v"),
            ]
            for n in verified
        )
        priority = _best_priority(verified)
        yield Row(
            cells=[
                title_cell(ctx, test),
                test.method,
                _date_cell(when),
                badge(outcome, "r"),
                targets if verified else NO_VALUE,
            ],
            classes=["trace-row", css_class("p", priority), css_class("r", outcome)],
        )


def reverse_matrix(ctx: RenderContext) -> nodes.Node:
    headers = ["Test case", "Method", "Last run", "Result", "Verifies (priority, status)"]
    return table(
        ctx,
        headers,
        _reverse_rows(ctx),
        classes=["trace-matrix", "trace-reverse"],
        widths=[30, 8, 10, 14, 38],
        filter_label="Reverse matrix",
    )
