"""Correct incremental builds: re-writes pages whose needs' links or status changed, and every aggregate page."""

from __future__ import annotations

import hashlib

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx_needs.nodes import Need

from dmtrace.core.evaluation import Evaluation
from dmtrace.glue.domain import trace_domain


def mark_aggregate(env: BuildEnvironment, docname: str) -> None:
    """Called by directives that show data from other pages."""
    trace_domain(env).aggregate_docs.add(docname)


def note_sphinx_needs_aggregates(app: Sphinx, doctree: nodes.document) -> None:
    """sphinx-needs' own tables, lists and flows also show other pages' needs."""
    for node in doctree.findall(nodes.Element):
        module = type(node).__module__
        if module.startswith("sphinx_needs.") and not isinstance(node, Need) and "Need" in type(node).__name__:
            mark_aggregate(app.env, app.env.docname)
            return


def _fingerprints(evaluation: Evaluation) -> dict[str, str]:
    """Per source file, a hash of what its need cards show that other pages can change."""
    graph = evaluation.graph
    per_file: dict[str, list[str]] = {}
    for need_id in sorted(graph.needs):
        need = graph.needs[need_id]
        state = evaluation.statuses.get(need_id)
        result = evaluation.latest.get(need_id)
        # Fields count too: aggregate pages (matrix, coverage, milestones) show priorities, dates and statuses.
        shown = [
            need_id,
            need.title,
            repr(sorted(need.fields.items())),
            repr(sorted(need.links.items())),
            repr(sorted((link, sorted(sources)) for link, sources in graph.incoming.get(need_id, {}).items())),
            repr(state),
            repr(result),
            repr(evaluation.missing_pytest_nodes.get(need_id)),
            # Evidence, sign-off and every execution record show on cards and views too.
            repr(evaluation.truth.evidence.get(need_id)),
            repr(evaluation.truth.signoff.get(need_id)),
            repr(evaluation.truth.history.get(need_id)),
        ]
        per_file.setdefault(need.file, []).append("\x1f".join(shown))
    return {file: hashlib.sha1("\x1e".join(rows).encode()).hexdigest() for file, rows in per_file.items()}


def docs_to_rewrite(env: BuildEnvironment, evaluation: Evaluation) -> list[str]:
    """The unchanged pages whose rendering depends on what changed elsewhere: their cards, or every aggregate page."""
    domain = trace_domain(env)
    changed_files = domain.swap_fingerprints("need_fingerprints", _fingerprints(evaluation))
    rewrite = {env.path2doc(str(env.srcdir / f)) for f in changed_files}
    if changed_files:
        rewrite |= domain.aggregate_docs
    return sorted({d for d in rewrite if d} & env.found_docs)
