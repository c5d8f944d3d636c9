"""The change log: one entry per commit, newest first, with what it did to each requirement, grouped by kind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from docutils import nodes
from sphinx.builders import Builder

from dmtrace.core.changekinds import ADDED, EDITED, REMOVED, Change, grouped, kinds_text
from dmtrace.core.history import Commit, visible
from dmtrace.views.generated import generated_html
from dmtrace.views.markup import Links, NeedRef, inline_html, text_html

# A kind with more needs than this in one commit is folded (an import adds hundreds): its ids behind <details>.
FOLD_OVER = 8
# What the change log says of a need, per kind, after its id (`DMS-REQ-0002 (2 → 3)`); these say nothing more.
NO_DETAIL = frozenset({ADDED, REMOVED, EDITED})


@dataclass(frozen=True)
class Entry:
    """One commit and what it did to each requirement it changed (need id -> changes)."""

    commit: Commit
    changes: Mapping[str, Sequence[Change]]


def commit_url(repository: str, sha: str) -> str:
    """The commit's page: `repository` with `{sha}` filled in, or `repository/commit/SHA`; "" without a repository."""
    if not repository:
        return ""
    return repository.replace("{sha}", sha) if "{sha}" in repository else f"{repository.rstrip('/')}/commit/{sha}"


def _plural(count: int) -> str:
    return f"{count} requirement{'' if count == 1 else 's'}"


def _item(need_id: str, change: Change, links: Links, title: str) -> str:
    detail = "" if change.kind in NO_DETAIL else f" ({text_html(change.detail)})"
    reference = inline_html(NeedRef(need_id), links)
    if title:
        reference += f' <span class="trace-title">{text_html(title)}</span>'
    return f'<span class="trace-change-item" data-id="{escape(need_id)}">{reference}{detail}</span>'


def _group_html(kind: str, items: list[tuple[str, Change]], links: Links, titles: Mapping[str, str]) -> str:
    """One kind of change in one commit; over FOLD_OVER needs, their ids (no titles) behind a <details>."""
    ids = " ".join(dict.fromkeys(need_id for need_id, _ in items))
    label = f'<span class="trace-kind trace-kind-{escape(kind)}">{text_html(kind)}</span> {_plural(len(items))}'
    if len(items) > FOLD_OVER:
        listed = ", ".join(_item(need_id, change, links, "") for need_id, change in items)
        body = f"<details><summary>{label}</summary><p>{listed}</p></details>"
    else:
        listed = "; ".join(_item(need_id, change, links, titles.get(need_id, "")) for need_id, change in items)
        body = f"{label}: {listed}"
    return f'<li class="trace-change" data-kind="{escape(kind)}" data-ids="{escape(ids)}">{body}</li>\n'


def _commit_html(entry: Entry, links: Links, repository: str, titles: Mapping[str, str]) -> str:
    commit = entry.commit
    short = text_html(commit.sha[:7])
    url = commit_url(repository, commit.sha)
    sha = (
        f'<a class="trace-sha reference external" href="{escape(url)}"><code>{short}</code></a>'
        if url
        else f'<code class="trace-sha">{short}</code>'
    )
    groups = grouped(entry.changes)
    kinds = " ".join(kind for kind, _ in groups)
    ids = " ".join(sorted(entry.changes))
    return (
        f'<li class="trace-commit" id="commit-{escape(commit.sha[:12])}" data-kinds="{escape(kinds)}" '
        f'data-ids="{escape(ids)}">\n'
        f'<p class="trace-commit-head"><span class="trace-date">{text_html(commit.date)}</span> '
        f'<span class="trace-commit-subject">{text_html(visible(commit.subject))}</span> {sha}</p>\n'
        f'<ul class="trace-changes">\n{"".join(_group_html(kind, its, links, titles) for kind, its in groups)}</ul>\n'
        "</li>\n"
    )


def changelog_html(
    builder: Builder,
    docname: str,
    entries: Sequence[Entry],
    need_docs: dict[str, str],
    repository: str = "",
    titles: Mapping[str, str] | None = None,
) -> nodes.Node:
    """The change log of `entries` (newest first), need ids linked to their cards (`need_docs`: id -> docname),
    commits to `repository` when given; HTML builders get one string, others a plain bullet list."""
    titles = titles or {}
    if getattr(builder, "format", "") != "html":
        return _changelog_nodes(entries)
    links = Links(lambda target: builder.get_relative_uri(docname, target), need_docs, docname)
    count = f"{len(entries)} commit{'' if len(entries) == 1 else 's'}"
    html = (
        f'<div class="trace-changelog" data-count="{len(entries)}">\n'
        f'<p class="trace-changelog-count">{count}, newest first.</p>\n'
        f'<ol class="trace-commits">\n{"".join(_commit_html(e, links, repository, titles) for e in entries)}</ol>\n'
        "</div>\n"
    )
    return generated_html(html=html)


def _changelog_nodes(entries: Sequence[Entry]) -> nodes.Node:
    listing = nodes.bullet_list()
    for entry in entries:
        commit = entry.commit
        text = f"{commit.date} {visible(commit.subject)} ({commit.sha[:7]}): " + "; ".join(
            f"{need_id} {kinds_text(changes)}" for need_id, changes in sorted(entry.changes.items())
        )
        listing += nodes.list_item("", nodes.paragraph(text, text))
    return listing
