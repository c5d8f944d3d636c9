"""Sphinx extension for requirement traceability: `setup()` only wires the modules together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__version__ = "0.1.0"


def setup(app: Sphinx) -> dict[str, Any]:
    # Imported here, not with the package: `make check` and the diff tool import ext.checker and need no Sphinx.
    from . import (changelog, directives, fast_layout, freshness, milestone_pages, needs_json, render, sphinx_bridge,
                   template_cache)
    from .directives import DIRECTIVES
    from .nodes import PLACEHOLDERS, generated_html, visit_generated_html

    app.setup_extension("sphinx_needs")
    app.add_config_value("trace_results", [], "env", types=[list])
    app.add_config_value("trace_results_if_present", [], "env", types=[list])
    app.add_config_value("trace_strict", False, "env", types=[bool])
    app.add_config_value("trace_id_patterns", {}, "env", types=[dict])

    app.add_config_value("trace_today", "", "env", types=[str])
    app.add_config_value("trace_view_scope", "", "env", types=[str])
    app.add_config_value("trace_milestone_pages_dir", "docs/traceability/_milestones", "env", types=[str])
    if "trace_source_dirs" not in app.config:
        app.add_config_value("trace_source_dirs", ["needs", "docs"], "env", types=[list, tuple])
    for node_class in PLACEHOLDERS:
        app.add_node(node_class)
    app.add_node(generated_html, html=(visit_generated_html, None))
    for name, directive in DIRECTIVES.items():
        app.add_directive(name, directive)

    app.connect("builder-inited", sphinx_bridge.install_log_filter)
    app.connect("source-read", sphinx_bridge.record_occurrences)
    app.connect("doctree-read", sphinx_bridge.allow_orphan_need_pages)
    app.connect("env-purge-doc", sphinx_bridge.purge_occurrences)
    app.connect("env-merge-info", sphinx_bridge.merge_occurrences)
    # After sphinx-needs' own env-updated handlers, so the needs are complete when the rules read them.
    app.connect("env-updated", sphinx_bridge.evaluate_build, priority=900)
    app.connect("env-updated", milestone_pages.plan_pages, priority=901)
    app.connect("html-collect-pages", milestone_pages.collect_pages)
    app.connect("build-finished", milestone_pages.record_written)
    app.connect("env-purge-doc", directives.purge)
    app.connect("env-merge-info", directives.merge)
    app.connect("needs-before-sealing", sphinx_bridge.seal_computed_fields)
    app.connect("build-finished", sphinx_bridge.fail_on_violations)

    fast_layout.register(app)
    needs_json.install()
    app.connect("builder-inited", template_cache.install)
    app.connect("doctree-read", freshness.note_sphinx_needs_aggregates)
    app.connect("env-purge-doc", freshness.purge)
    app.connect("env-merge-info", freshness.merge)
    changelog.register(app)
    app.connect("doctree-resolved", render.resolve_placeholders)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}
