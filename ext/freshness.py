"""Correct incremental builds: re-writes pages whose needs' links or status changed, and every aggregate page."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.nodes import Need

from .model import COMPUTED_FIELDS, LINK_TYPES

AGGREGATE_DOCS_KEY = "trace_aggregate_docs"
FINGERPRINTS_KEY = "trace_need_fingerprints"
# What a need's card shows that can change when another page changes.
_SHOWN_KEYS = tuple([*LINK_TYPES, *(f"{name}_back" for name in LINK_TYPES), *COMPUTED_FIELDS])


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


def _fingerprints(needs: Any) -> dict[str, str]:
    per_doc: dict[str, list[str]] = {}
    for need_id in sorted(needs):
        item = needs[need_id]
        if item.get("docname"):
            shown = [need_id, item["title"], *(repr(item.get(key)) for key in _SHOWN_KEYS)]
            per_doc.setdefault(item["docname"], []).append("\x1f".join(shown))
    return {doc: hashlib.sha1("\x1e".join(rows).encode()).hexdigest() for doc, rows in per_doc.items()}


def unseal(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
           removed: set[str]) -> list[str]:
    """`env-get-outdated`: the pickled env holds needs sealed by `docs_to_rewrite`; re-open them for this read.

    sphinx-needs seals at write-started, after the env is pickled; sealing at env-updated (before pickling)
    would otherwise make the next incremental build fail when it purges an edited page. The computed fields
    are cleared too: the rules write them afresh, and a value they no longer write (a result dropped from the
    results file) must not survive from the previous build.
    """
    data = SphinxNeedsData(env)
    data.needs_is_post_processed = False
    for need in data.get_needs_mutable().values():
        for name in COMPUTED_FIELDS:
            need[name] = None
    return []


def docs_to_rewrite(app: Sphinx, env: BuildEnvironment) -> Iterable[str]:
    """`env-updated`: the unchanged pages whose rendering depends on what changed elsewhere."""
    needs = SphinxNeedsData(env).get_needs_view()  # seals the needs, which runs the rules
    current = _fingerprints(needs)
    previous: dict[str, str] = _store(env, FINGERPRINTS_KEY, {})
    changed = {doc for doc in current.keys() | previous.keys() if current.get(doc) != previous.get(doc)}
    setattr(env, FINGERPRINTS_KEY, current)
    if not changed:
        return []
    return sorted((changed | aggregate_docs(env)) & env.found_docs)
