"""Replaces the trace placeholders at doctree-resolved with content rendered from the build's evaluation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx_needs.data import SphinxNeedsData

from dmtrace.core.builddate import SourceDateError, source_datetime
from dmtrace.core.evaluation import CONF_FILE, Evaluation, scope_error
from dmtrace.core.graph import NeedGraph
from dmtrace.core.settings import DEFAULT_VCD
from dmtrace.core.vcd import VcdExport, read_vcd
from dmtrace.glue.placeholders import (
    PLACEHOLDERS,
    TracePlaceholder,
    trace_coverage,
    trace_dashboard,
    trace_definitions,
    trace_flowdown,
    trace_matrix,
    trace_milestones,
    trace_parameters,
    trace_reconciliation,
    trace_reverse,
)
from dmtrace.glue.state import build_state
from dmtrace.views.context import RenderContext
from dmtrace.views.coverage import coverage, dashboard
from dmtrace.views.definitions import definitions
from dmtrace.views.flowdown import flowdown
from dmtrace.views.matrix import matrix_tree, matrix_vcd, reverse_matrix
from dmtrace.views.milestone_index import milestones_index
from dmtrace.views.parameters import parameter_index
from dmtrace.views.reconciliation import reconciliation

logger = logging.getLogger(__name__)
Renderer = Callable[[RenderContext, TracePlaceholder], nodes.Node | list[nodes.Node]]

RENDERERS: dict[type[TracePlaceholder], Renderer] = {
    trace_matrix: lambda ctx, node: matrix_vcd(ctx) if node.get("layout") == "vcd" else matrix_tree(ctx),
    trace_reverse: lambda ctx, node: reverse_matrix(ctx),
    trace_coverage: lambda ctx, node: coverage(ctx),
    trace_dashboard: lambda ctx, node: dashboard(ctx),
    trace_milestones: lambda ctx, node: milestones_index(ctx),
    trace_reconciliation: lambda ctx, node: reconciliation(ctx),
    trace_definitions: lambda ctx, node: definitions(ctx, node.get("part", "")),
    trace_parameters: lambda ctx, node: parameter_index(ctx),
    trace_flowdown: lambda ctx, node: flowdown(ctx, node.get("document", "")),
}


def build_date(app: Sphinx) -> dt.date:
    """The day the pages count from: `trace_today` (ISO date), else `SOURCE_DATE_EPOCH` (UTC), else today.

    With either set, two builds of one commit give the same bytes (reproducible builds).
    """
    configured = str(app.config.trace_today or "").strip()
    if configured:
        try:
            return dt.date.fromisoformat(configured)
        except ValueError:
            logger.warning(
                "trace_today = %r is not an ISO date (YYYY-MM-DD); using the build date",
                configured,
                type="trace",
                subtype="config",
            )
    return source_date() or dt.date.today()


def source_date() -> dt.date | None:
    """The UTC date of `SOURCE_DATE_EPOCH`, or None when it is unset (warned about when unreadable)."""
    try:
        moment = source_datetime()
    except SourceDateError as err:
        logger.warning("%s; using today's date", err, type="trace", subtype="config")
        return None
    return moment.date() if moment else None


def _evaluation(app: Sphinx) -> Evaluation:
    return build_state(app).evaluation or Evaluation(NeedGraph.build({}), [], {}, {})


def need_docs(app: Sphinx, evaluation: Evaluation) -> dict[str, str]:
    """Need id -> docname, built once per evaluation (every view and milestone page needs it)."""
    state = build_state(app)
    cached = state.need_docs
    if cached is None or cached[0] is not evaluation:
        needs = SphinxNeedsData(app.env).get_needs_view()
        cached = (evaluation, {need_id: docname for need_id, item in needs.items() if (docname := item.get("docname"))})
        state.need_docs = cached
    return cached[1]


def view_scope(app: Sphinx) -> str:
    """conf.py's `trace_view_scope`, or "" (every need) when it is not a regular expression: said once per build."""
    configured = str(app.config.trace_view_scope or "")
    state = build_state(app)
    checked = state.view_scope
    if checked is None or checked[0] != configured:
        problem = scope_error(configured) if configured else None
        if problem:
            logger.warning(
                "trace_view_scope = %r is not a valid regular expression (%s); the views show every need",
                configured,
                problem,
                location=conf_location(app, "trace_view_scope"),
                type="trace",
                subtype="config",
            )
        checked = state.view_scope = (configured, "" if problem else configured)
    return checked[1]


def conf_location(app: Sphinx, setting: str) -> str:
    """`path/conf.py:line` of the line that sets `setting` (line 1 when it is set some other way)."""
    conf = Path(app.confdir or app.srcdir) / CONF_FILE
    try:
        text = conf.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"{conf}:1"
    found = re.search(rf"^{re.escape(setting)}\s*[:=]", text, re.MULTILINE)
    return f"{conf}:{text.count(chr(10), 0, found.start()) + 1 if found else 1}"


def _vcd_path(app: Sphinx) -> tuple[str, Path]:
    configured = str(app.config.trace_vcd or "").strip()
    return configured, Path(app.srcdir) / configured


def vcd_export(app: Sphinx) -> VcdExport | None:
    """The VCD export `trace_vcd` names, read once per build; None when none is configured or the default file is
    absent. Its problems and a configured file that does not exist are warned about, once."""
    configured, path = _vcd_path(app)
    state = build_state(app)
    if state.vcd is None or state.vcd[0] != configured:
        export = None
        if configured and path.is_file():
            export = read_vcd(path, configured)
            for problem in export.problems:
                location = f"{path}:{problem.line}"
                logger.warning("%s", problem.message, location=location, type="trace", subtype="vcd")
        elif configured and configured != DEFAULT_VCD:
            logger.warning(
                "trace_vcd = %r: no such file; the VCD layout shows the rows of the site",
                configured,
                location=conf_location(app, "trace_vcd"),
                type="trace",
                subtype="config",
            )
        state.vcd = (configured, export)
    return state.vcd[1]


def _shows_vcd(node: nodes.Node) -> bool:
    return isinstance(node, trace_matrix) and node.get("layout") == "vcd"


def note_vcd_dependency(app: Sphinx, doctree: nodes.document) -> None:
    """`doctree-read`: a page with the VCD layout is re-read when the export it reproduces changes."""
    configured, path = _vcd_path(app)
    if configured and path.is_file() and any(_shows_vcd(node) for node in doctree.findall(trace_matrix)):
        app.env.note_dependency(str(path))


def _directive_name(node: TracePlaceholder) -> str:
    return "trace-" + type(node).__name__.removeprefix("trace_")


def resolve_placeholders(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = [node for node in doctree.findall(TracePlaceholder) if isinstance(node, PLACEHOLDERS)]
    if not placeholders:
        return
    evaluation, today = _evaluation(app), build_date(app)
    docs_of_needs = need_docs(app, evaluation)
    vcd = vcd_export(app) if any(_shows_vcd(node) for node in placeholders) else None
    for node in placeholders:
        scope = node.get("scope", None)
        if scope is None:
            scope = view_scope(app)
        elif scope_error(scope):
            # The reader reported it at the directive (trace.config), as `make check` does: the view is left out.
            text = f"Not shown: the :scope: of this {_directive_name(node)} is not a valid regular expression."
            node.replace_self(nodes.paragraph(text, text, classes=["trace-config-error"]))
            continue
        ctx = RenderContext(
            app.builder, docname, docs_of_needs, evaluation.scoped(scope), today, build_state(app).milestone_pages, vcd
        )
        rendered = RENDERERS[type(node)](ctx, node)
        node.replace_self(rendered)
