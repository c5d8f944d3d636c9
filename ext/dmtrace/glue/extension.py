"""Connects every glue module to Sphinx: configuration values, nodes, directives, the domain and the events."""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config

from dmtrace.core.settings import (
    DEFAULT_SIGNOFF_DIR,
    DEFAULT_SIGNOFF_SCOPE,
    DEFAULT_VCD,
    results_from_environment,
    strict_from_environment,
)
from dmtrace.glue import (
    accessibility,
    cards,
    changelog,
    downloads,
    encoding,
    events,
    freshness,
    heap,
    id_search,
    milestone_pages,
    needs_json,
    resolve,
    state,
    template_cache,
)
from dmtrace.glue.directives import DIRECTIVES
from dmtrace.glue.domain import TraceDomain
from dmtrace.glue.placeholders import PLACEHOLDERS
from dmtrace.views.generated import generated_html, visit_generated_html


def wire(app: Sphinx) -> None:
    app.setup_extension("sphinx_needs")
    app.add_config_value("trace_results", [], "env", types=[list])
    app.add_config_value("trace_results_if_present", [], "env", types=[list])
    app.add_config_value("trace_strict", False, "env", types=[bool])
    app.add_config_value("trace_id_patterns", {}, "env", types=[dict])
    app.add_config_value("trace_today", "", "env", types=[str])
    app.add_config_value("trace_signoff_dir", DEFAULT_SIGNOFF_DIR, "env", types=[str])
    app.add_config_value("trace_signoff_scope", DEFAULT_SIGNOFF_SCOPE, "env", types=[str])
    app.add_config_value("trace_vcd", DEFAULT_VCD, "env", types=[str])
    app.add_config_value("trace_suspect_since", "", "env", types=[str])
    app.add_config_value("trace_view_scope", "", "env", types=[str])
    # The repository's web address: the change log links each commit (`URL/commit/SHA`, or `{sha}` in the URL).
    app.add_config_value("trace_repository_url", "", "env", types=[str])
    app.add_config_value("trace_milestone_pages_dir", "docs/traceability/_milestones", "env", types=[str])
    # Read by `make check` and `make diff` (dmtrace.core.settings); registered so Sphinx accepts it in conf.py.
    app.add_config_value("trace_source_dirs", ["needs", "docs"], "env", types=[list, tuple])
    app.add_domain(TraceDomain)
    for node_class in PLACEHOLDERS:
        app.add_node(node_class)
    app.add_node(generated_html, html=(visit_generated_html, None))
    for name, directive in DIRECTIVES.items():
        app.add_directive(name, directive)

    app.connect("config-inited", take_environment)
    app.connect("builder-inited", state.reset_build_state, priority=0)
    app.connect("builder-inited", events.install_log_filter)
    encoding.register()
    app.connect("env-before-read-docs", encoding.read_leniently)
    app.connect("source-read", events.record_occurrences)
    app.connect("doctree-read", events.allow_orphan_need_pages)
    # After sphinx-needs' own env-updated handlers, so the needs are complete when the rules read them.
    app.connect("env-updated", events.evaluate_build, priority=900)
    app.connect("env-updated", milestone_pages.plan_pages, priority=901)
    app.connect("html-collect-pages", milestone_pages.collect_pages)
    app.connect("build-finished", milestone_pages.record_written)
    app.connect("needs-before-sealing", events.seal_computed_fields)
    app.connect("build-finished", events.fail_on_violations)

    accessibility.register(app)
    cards.register(app)
    heap.register(app)
    id_search.register(app)
    needs_json.install()
    app.connect("builder-inited", template_cache.install)
    app.connect("doctree-read", freshness.note_sphinx_needs_aggregates)
    changelog.register(app)
    app.connect("doctree-read", resolve.note_vcd_dependency)
    app.connect("doctree-resolved", resolve.resolve_placeholders)
    downloads.register(app)


def take_environment(app: Sphinx, config: Config) -> None:
    """`make html RESULTS=... STRICT=1` (TRACE_RESULTS, TRACE_STRICT): read by the one rule `make check` uses."""
    names = results_from_environment()
    if names is not None:
        config.trace_results = names
        config.trace_results_if_present = []
    if strict_from_environment():
        config.trace_strict = True
