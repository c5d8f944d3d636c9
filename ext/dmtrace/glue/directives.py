"""The trace directives: each leaves a placeholder node and registers its page as showing other pages' needs."""

from __future__ import annotations

from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import OptionSpec

from dmtrace.core.model import UPSTREAM_DOCUMENTS
from dmtrace.core.needtext import PARAMETER, PARAMETER_OPTIONS, TEXT_BLOCKS
from dmtrace.glue import freshness
from dmtrace.glue.domain import trace_domain
from dmtrace.glue.placeholders import (
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
from dmtrace.views import definitions

MATRIX_LAYOUTS = ("tree", "vcd")


SCOPE_OPTION: OptionSpec = {"scope": directives.unchanged}


class _PlaceholderDirective(SphinxDirective):
    """`:scope: REGEX` limits the view to requirements whose id matches (default: conf.py's trace_view_scope)."""

    node_class: ClassVar[type[TracePlaceholder]]
    option_spec: ClassVar[OptionSpec] = SCOPE_OPTION

    def placeholder(self, **attributes: str) -> TracePlaceholder:
        freshness.mark_aggregate(self.env, self.env.docname)
        node = self.node_class()
        if "scope" in self.options:
            node["scope"] = self.options["scope"].strip()
        for name, value in attributes.items():
            node[name] = value
        self.set_source_info(node)
        return node

    def run(self) -> list[nodes.Node]:
        return [self.placeholder()]


class MatrixDirective(_PlaceholderDirective):
    """```{trace-matrix}``` with `:layout: tree` (requirements nested) or `:layout: vcd`."""

    node_class = trace_matrix
    option_spec: ClassVar[OptionSpec] = {
        **SCOPE_OPTION,
        "layout": lambda value: directives.choice(value, MATRIX_LAYOUTS),
    }

    def run(self) -> list[nodes.Node]:
        return [self.placeholder(layout=self.options.get("layout", "tree"))]


class ReverseMatrixDirective(_PlaceholderDirective):
    node_class = trace_reverse


class CoverageDirective(_PlaceholderDirective):
    node_class = trace_coverage


class DashboardDirective(_PlaceholderDirective):
    node_class = trace_dashboard


class ReconciliationDirective(_PlaceholderDirective):
    node_class = trace_reconciliation


class DefinitionsDirective(_PlaceholderDirective):
    """```{trace-definitions}``` with `:part: vocabulary`, `statuses` or `kinds` (default: all three)."""

    node_class = trace_definitions
    option_spec: ClassVar[OptionSpec] = {"part": lambda value: directives.choice(value, definitions.PARTS)}

    def run(self) -> list[nodes.Node]:
        return [self.placeholder(part=self.options.get("part", ""))]


class MilestonesIndexDirective(_PlaceholderDirective):
    """The milestones index; also the parent of the milestone pages in their breadcrumbs."""

    node_class = trace_milestones

    def run(self) -> list[nodes.Node]:
        trace_domain(self.env).milestone_index_docs.add(self.env.docname)
        return [self.placeholder()]


class NeedTextDirective(SphinxDirective):
    """`:::{specification}` or `:::{discussion}` in a requirement's body: its Markdown under a heading that names
    it (the source reader takes the same text into the need: dmtrace.core.needtext)."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        kind = self.name.lower()
        block = nodes.container(classes=["trace-text", f"trace-{kind}"])
        self.set_source_info(block)
        block += nodes.rubric(text=TEXT_BLOCKS.get(kind, kind.title()))
        self.state.nested_parse(self.content, self.content_offset, block)
        return [block]


class ParameterDirective(SphinxDirective):
    """`:::{parameter} NAME` with `:value:`, `:unit:`, `:confirmed:` and the description: read into the need
    (dmtrace.core.needtext), shown in the card's parameter table and on the parameter index, so nothing here."""

    has_content = True
    required_arguments = 1
    option_spec: ClassVar[OptionSpec] = dict.fromkeys(PARAMETER_OPTIONS, directives.unchanged)

    def run(self) -> list[nodes.Node]:
        return []


class ParametersIndexDirective(_PlaceholderDirective):
    node_class = trace_parameters


def _document(value: str | None) -> str:
    """An upstream document as written (docutils' `choice` would lower-case it)."""
    document = (value or "").strip()
    if document not in UPSTREAM_DOCUMENTS:
        raise ValueError(f"{document!r} is not one of {', '.join(UPSTREAM_DOCUMENTS)}")
    return document


class FlowdownDirective(_PlaceholderDirective):
    """```{trace-flowdown}``` with `:document: LSE-30` (or LSE-29): that document's requirements and what derives
    from each (every upstream requirement is in every scope)."""

    node_class = trace_flowdown
    option_spec: ClassVar[OptionSpec] = {"document": lambda value: _document(value)}

    def run(self) -> list[nodes.Node]:
        if "document" not in self.options:
            raise self.error(f"{self.name} needs :document: (one of {', '.join(UPSTREAM_DOCUMENTS)})")
        return [self.placeholder(document=self.options["document"])]


DIRECTIVES: dict[str, type[SphinxDirective]] = {
    **dict.fromkeys(TEXT_BLOCKS, NeedTextDirective),
    PARAMETER: ParameterDirective,
    "trace-parameters": ParametersIndexDirective,
    "trace-flowdown": FlowdownDirective,
    "trace-matrix": MatrixDirective,
    "trace-reverse": ReverseMatrixDirective,
    "trace-coverage": CoverageDirective,
    "trace-dashboard": DashboardDirective,
    "trace-milestones": MilestonesIndexDirective,
    "trace-reconciliation": ReconciliationDirective,
    "trace-definitions": DefinitionsDirective,
}
