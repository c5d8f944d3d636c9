"""Renders the traceability matrix (nested or VCD layout) and the reverse matrix from the build's evaluation."""

from __future__ import annotations

from collections.abc import Iterator

from docutils import nodes

from dmtrace.core.model import REQUIREMENT_TYPES, Need, natural_key
from dmtrace.core.status import priority_rank
from dmtrace.views.cells import NO_VALUE, result_of, status_of, title_cell
from dmtrace.views.context import RenderContext, badge, css_class
from dmtrace.views.markup import Cell, Inline, Row, Span, lines, table


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


def _milestones_cell(ctx: RenderContext, need: Need) -> Cell:
    targets = need.targets("milestone")
    return lines([ctx.link(target)] for target in targets) if targets else NO_VALUE


def _tests_of(ctx: RenderContext, need: Need) -> list[Need]:
    return sorted(ctx.evaluation.graph.tests(need.id), key=lambda n: natural_key(n.id))


def _tree_rows(ctx: RenderContext) -> Iterator[Row]:
    for need, depth in requirements_in_tree_order(ctx):
        state = status_of(ctx, need)
        tests = _tests_of(ctx, need)
        yield Row(
            cells=[
                title_cell(ctx, need),
                need.priority or NO_VALUE,
                badge(state.trace.value, "s"),
                badge(state.verification.value, "v"),
                lines(_test_line(ctx, t) for t in tests) if tests else NO_VALUE,
                _milestones_cell(ctx, need),
            ],
            classes=[
                "trace-row",
                css_class("p", need.priority),
                css_class("s", state.trace.value),
                css_class("v", state.verification.value),
            ],
            first_cell_classes=[f"trace-depth-{min(depth, 4)}"],
        )


def matrix_tree(ctx: RenderContext) -> nodes.Node:
    headers = ["Requirement", "Priority", "Traced", "Verification", "Tests (last result, run)", "Milestone"]
    return table(
        ctx,
        headers,
        _tree_rows(ctx),
        classes=["trace-matrix"],
        widths=[34, 7, 12, 11, 24, 12],
        filter_label="Traceability matrix",
    )


def _vcd_rows(ctx: RenderContext, req: Need) -> Iterator[Row]:
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
                ],
                classes=[
                    "trace-row",
                    css_class("p", subject.priority),
                    css_class("s", req_state.trace.value),
                    css_class("r", outcome or "no test case"),
                ],
            )


def matrix_vcd(ctx: RenderContext) -> nodes.Node:
    reqs = sorted((n for n in ctx.evaluation.graph.needs.values() if n.type == "req"), key=lambda n: natural_key(n.id))
    rows = (row for req in reqs for row in _vcd_rows(ctx, req))
    headers = ["Requirement", "Verification Element", "Test Case", "Last Run", "Test Status"]
    return table(
        ctx,
        headers,
        rows,
        classes=["trace-matrix", "trace-vcd"],
        widths=[27, 26, 27, 10, 10],
        filter_label="Verification control document",
    )


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
