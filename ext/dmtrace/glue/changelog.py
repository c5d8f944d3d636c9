"""Sphinx side of the change log: the `{trace-changelog}` directive, the cards' `changes` field, page freshness."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective
from sphinx_needs.data import SphinxNeedsData

from dmtrace.core.history import HISTORY_CACHE, History, cached_history, card_text
from dmtrace.core.model import REQUIREMENT_TYPES
from dmtrace.glue.domain import trace_domain
from dmtrace.glue.placeholders import changelog_placeholder
from dmtrace.glue.state import build_state
from dmtrace.views.changelog import Entry, changelog_html

TABLE_KEY = "\x00change-log table"  # beside the docnames in the domain's changelog_shown; no docname looks like it


class ChangelogDirective(SphinxDirective):
    """`{trace-changelog}`: each commit that changed a requirement or sub-requirement, and what it did to it."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        # Not an aggregate page for `freshness`: `pages_to_rewrite` knows when its table changed.
        trace_domain(self.env).changelog_docs.add(self.env.docname)
        return [changelog_placeholder()]


def pages_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """`env-updated`: the pages whose change-log content changed although their source did not.

    A new commit changes cards (their `changes` field) and the change-log page; a retitled or moved requirement
    changes the page's row. Any other edit leaves the page as it was, so it is not re-written.
    """
    history = _history(app)
    per_doc: dict[str, list[str]] = {}
    rows = [f"{history.unavailable}\x1f{history.shallow}"]
    for need_id, item in sorted(SphinxNeedsData(env).get_needs_mutable().items()):
        docname = item.get("docname")
        if docname and item["type"] in REQUIREMENT_TYPES and need_id in history.changes:
            shown = card_text(history.changes[need_id], history.of(need_id))
            per_doc.setdefault(docname, []).append(f"{need_id}\x1f{shown}")
            commits = f"{history.changes[need_id]!r}\x1f{history.of(need_id)!r}"
            rows.append(f"{need_id}\x1f{item['title']}\x1f{item['docname']}\x1f{commits}")
    current = {doc: _digest(lines) for doc, lines in per_doc.items()}
    current[TABLE_KEY] = _digest(rows)
    domain = trace_domain(env)
    changed = domain.swap_fingerprints("changelog_shown", current)
    if TABLE_KEY in changed:
        changed |= domain.changelog_docs
    return sorted(changed & env.found_docs)


def _digest(lines: list[str]) -> str:
    return hashlib.sha1("\x1e".join(lines).encode()).hexdigest()


def load_history(app: Sphinx) -> None:
    history = cached_history(Path(app.srcdir), Path(app.doctreedir) / HISTORY_CACHE)
    build_state(app).history = history


def _history(app: Sphinx) -> History:
    return build_state(app).history or History(unavailable="the history was not read")


def write_changes(app: Sphinx, needs: Any) -> None:
    """`needs-before-sealing`: the computed field `changes` of each requirement, as shown on its card."""
    history = _history(app)
    for need_id, item in needs.items():
        if item["type"] in REQUIREMENT_TYPES and need_id in history.changes:
            item["changes"] = card_text(history.changes[need_id], history.of(need_id))


def _paragraph(text: str) -> nodes.paragraph:
    return nodes.paragraph(text, text)


def render_changelog(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """`doctree-resolved`: fills each placeholder with the commits (or says why there is no history)."""
    placeholders = list(doctree.findall(changelog_placeholder))
    if not placeholders:
        return
    history = _history(app)
    needs = SphinxNeedsData(app.env).get_needs_view()
    shown = {i for i in history.changes if i in needs and needs[i]["type"] in REQUIREMENT_TYPES}
    by_commit: dict[str, list[str]] = {}
    for need_id in sorted(shown):
        for commit in history.changes[need_id]:
            by_commit.setdefault(commit.sha, []).append(need_id)
    entries = [
        Entry(commit, {i: history.kinds.get(commit.sha, {}).get(i, ()) for i in by_commit[commit.sha]})
        for commit in history.commits
        if commit.sha in by_commit
    ]
    content: list[nodes.Node]
    if history.unavailable:
        content = [_paragraph(f"No change log: {history.unavailable}.")]
    elif not entries:
        content = [_paragraph("No commit in the history changed a requirement.")]
    else:
        need_docs = {i: str(needs[i]["docname"]) for i in shown if needs[i]["docname"]}
        titles = {i: str(needs[i]["title"]) for i in shown}
        url = app.config.trace_repository_url
        content = [changelog_html(app.builder, docname, entries, need_docs, url, titles)]
        if history.shallow:
            content.insert(0, _paragraph("This build ran in a shallow clone: older commits are missing."))
    for placeholder in placeholders:
        placeholder.replace_self(content)


def register(app: Sphinx) -> None:
    app.add_node(changelog_placeholder)
    app.add_directive("trace-changelog", ChangelogDirective)
    app.connect("builder-inited", load_history)
    app.connect("needs-before-sealing", write_changes)
    app.connect("doctree-resolved", render_changelog)
    app.connect("env-updated", pages_to_rewrite, priority=900)
