"""The node that carries a view's HTML: written as is by HTML writers, skipped by the search index."""

from __future__ import annotations

from typing import Any

from docutils import nodes


class generated_html(nodes.General, nodes.Element):  # noqa: N801
    """HTML a view wrote (a table): HTML writers emit it as is, the search index skips it (unlike `nodes.raw`).

    The needs a table lists are searchable on their own pages; indexing a 5,000-row table again cost time and
    made every view page a search hit for every id.
    """


def visit_generated_html(translator: Any, node: generated_html) -> None:
    translator.body.append(node["html"])
    raise nodes.SkipNode
