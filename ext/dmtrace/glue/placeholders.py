"""Placeholder nodes that the trace directives leave in a doctree, replaced by views at doctree-resolved."""

from __future__ import annotations

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


class trace_reconciliation(TracePlaceholder):  # noqa: N801
    """Where sign-off and evidence disagree: counts per kind and priority, then the items."""


class trace_definitions(TracePlaceholder):  # noqa: N801
    """The generated part of the definitions page: results vocabulary, VE statuses, reconciliation kinds."""


class trace_parameters(TracePlaceholder):  # noqa: N801
    """The parameter index: each requirement parameter with its value, unit and the requirements using it."""


class trace_flowdown(TracePlaceholder):  # noqa: N801
    """The flow-down of one upstream document (`document`): its requirements and what derives from each."""


PLACEHOLDERS: tuple[type[TracePlaceholder], ...] = (
    trace_parameters,
    trace_flowdown,
    trace_matrix,
    trace_reverse,
    trace_coverage,
    trace_dashboard,
    trace_milestones,
    trace_reconciliation,
    trace_definitions,
)


class changelog_placeholder(nodes.General, nodes.Element):  # noqa: N801
    """The change log (`{trace-changelog}`), replaced once every need is known; not in PLACEHOLDERS: no view."""
