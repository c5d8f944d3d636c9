"""Placeholder nodes that the trace directives leave in a doctree, and the node that carries a view's HTML."""

from __future__ import annotations

from typing import Any

from docutils import nodes


class TracePlaceholder(nodes.General, nodes.Element):
    """Base of every placeholder: `view` names what to render, the other attributes parametrise it."""


class trace_matrix(TracePlaceholder):  # noqa: N801 (docutils node naming)
    """The traceability matrix (layout 'tree' or 'vcd')."""


class trace_reverse(TracePlaceholder):  # noqa: N801
    """Test case -> what it verifies."""


class trace_coverage(TracePlaceholder):  # noqa: N801
    """Per-priority coverage tables and charts."""


class trace_dashboard(TracePlaceholder):  # noqa: N801
    """Headline numbers and what needs attention."""


class trace_milestones(TracePlaceholder):  # noqa: N801
    """The milestones index: table, timeline and forecast history."""


PLACEHOLDERS: tuple[type[TracePlaceholder], ...] = (
    trace_matrix, trace_reverse, trace_coverage, trace_dashboard, trace_milestones,
)


class generated_html(nodes.General, nodes.Element):  # noqa: N801
    """HTML a view wrote (a table): HTML writers emit it as is, the search index skips it (unlike `nodes.raw`).

    The needs a table lists are searchable on their own pages; indexing a 5,000-row table again cost time and
    made every view page a search hit for every id.
    """


def visit_generated_html(translator: Any, node: generated_html) -> None:
    translator.body.append(node["html"])
    raise nodes.SkipNode
