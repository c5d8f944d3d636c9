"""Replaces the trace placeholders at doctree-resolved with content rendered from the build's evaluation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx_needs.data import SphinxNeedsData

from .checker import Evaluation
from .graph import NeedGraph
from .nodes import (PLACEHOLDERS, TracePlaceholder, trace_coverage, trace_dashboard, trace_matrix, trace_milestones,
                    trace_reverse)
from .render_coverage import coverage, dashboard
from .render_matrix import matrix_tree, matrix_vcd, reverse_matrix
from .render_milestones import milestones_index
from .render_context import RenderContext

logger = logging.getLogger(__name__)
Renderer = Callable[[RenderContext, TracePlaceholder], nodes.Node | list[nodes.Node]]

RENDERERS: dict[type[TracePlaceholder], Renderer] = {
    trace_matrix: lambda ctx, node: matrix_vcd(ctx) if node.get("layout") == "vcd" else matrix_tree(ctx),
    trace_reverse: lambda ctx, node: reverse_matrix(ctx),
    trace_coverage: lambda ctx, node: coverage(ctx),
    trace_dashboard: lambda ctx, node: dashboard(ctx),
    trace_milestones: lambda ctx, node: milestones_index(ctx),
}


def build_date(app: Sphinx) -> dt.date:
    """`trace_today` (ISO date) when set, so that tests and reproducible builds get fixed day counts."""
    configured = str(app.config.trace_today or "").strip()
    if configured:
        try:
            return dt.date.fromisoformat(configured)
        except ValueError:
            logger.warning("trace_today = %r is not an ISO date (YYYY-MM-DD); using today's date", configured,
                           type="trace", subtype="config")
    return dt.date.today()


def _evaluation(app: Sphinx) -> Evaluation:
    evaluation: Evaluation | None = getattr(app, "trace_evaluation", None)
    return evaluation or Evaluation(NeedGraph.build({}), [], {}, {})


def need_docs(app: Sphinx, evaluation: Evaluation) -> dict[str, str]:
    """Need id -> docname, built once per evaluation (every view and milestone page needs it)."""
    cached: tuple[Evaluation, dict[str, str]] | None = getattr(app, "trace_need_docs", None)
    if cached is None or cached[0] is not evaluation:
        needs = SphinxNeedsData(app.env).get_needs_view()
        cached = (evaluation, {need_id: item["docname"] for need_id, item in needs.items() if item.get("docname")})
        app.trace_need_docs = cached  # type: ignore[attr-defined]
    return cached[1]


def resolve_placeholders(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = [node for node in doctree.findall(TracePlaceholder) if isinstance(node, PLACEHOLDERS)]
    if not placeholders:
        return
    evaluation, today = _evaluation(app), build_date(app)
    docs_of_needs = need_docs(app, evaluation)
    for node in placeholders:
        scope = node.get("scope", app.config.trace_view_scope)
        ctx = RenderContext(app.builder, docname, docs_of_needs, evaluation.scoped(scope), today)
        rendered = RENDERERS[type(node)](ctx, node)
        node.replace_self(rendered)
