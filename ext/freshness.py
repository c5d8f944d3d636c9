"""Correct incremental builds: re-writes pages whose needs' links or status changed, and every aggregate page."""

from __future__ import annotations

import hashlib
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx_needs.nodes import Need

from .checker import Evaluation

AGGREGATE_DOCS_KEY = "trace_aggregate_docs"
FINGERPRINTS_KEY = "trace_need_fingerprints"


def _store(env: BuildEnvironment, key: str, default: Any) -> Any:
    if not hasattr(env, key):
        setattr(env, key, default)
    return getattr(env, key)


def aggregate_docs(env: BuildEnvironment) -> set[str]:
    return _store(env, AGGREGATE_DOCS_KEY, set())


def mark_aggregate(env: BuildEnvironment, docname: str) -> None:
    """Called by directives that show data from other pages."""
    aggregate_docs(env).add(docname)


def note_sphinx_needs_aggregates(app: Sphinx, doctree: nodes.document) -> None:
    """sphinx-needs' own tables, lists and flows also show other pages' needs."""
    for node in doctree.findall(nodes.Element):
        module = type(node).__module__
        if module.startswith("sphinx_needs.") and not isinstance(node, Need) and "Need" in type(node).__name__:
            mark_aggregate(app.env, app.env.docname)
            return


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    aggregate_docs(env).discard(docname)


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    aggregate_docs(env).update(aggregate_docs(other) & docnames)


def _fingerprints(evaluation: Evaluation) -> dict[str, str]:
    """Per source file, a hash of what its need cards show that other pages can change."""
    graph = evaluation.graph
    per_file: dict[str, list[str]] = {}
    for need_id in sorted(graph.needs):
        need = graph.needs[need_id]
        state = evaluation.statuses.get(need_id)
        result = evaluation.latest.get(need_id)
        # Fields count too: aggregate pages (matrix, coverage, milestones) show priorities, dates and statuses.
        shown = [need_id, need.title, repr(sorted(need.fields.items())), repr(sorted(need.links.items())), repr(sorted(
            (link, sorted(sources)) for link, sources in graph.incoming.get(need_id, {}).items())),
            repr(state), repr(result), repr(evaluation.missing_pytest_nodes.get(need_id))]
        per_file.setdefault(need.file, []).append("\x1f".join(shown))
    return {file: hashlib.sha1("\x1e".join(rows).encode()).hexdigest() for file, rows in per_file.items()}


def changed_keys(env: BuildEnvironment, key: str, current: dict[str, str]) -> set[str]:
    """The keys whose fingerprint differs from the one stored under `key` by the last build; stores `current`."""
    previous: dict[str, str] = _store(env, key, {})
    setattr(env, key, current)
    return {k for k in current.keys() | previous.keys() if current.get(k) != previous.get(k)}


def docs_to_rewrite(env: BuildEnvironment, evaluation: Evaluation) -> list[str]:
    """The unchanged pages whose rendering depends on what changed elsewhere: their cards, or every aggregate page."""
    changed_files = changed_keys(env, FINGERPRINTS_KEY, _fingerprints(evaluation))
    rewrite = {env.path2doc(str(env.srcdir / f)) for f in changed_files}
    if changed_files:
        rewrite |= aggregate_docs(env)
    return sorted({d for d in rewrite if d} & env.found_docs)
