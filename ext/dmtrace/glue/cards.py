"""Compact need cards in the build: replaces sphinx-needs' layout table of each need with a `CardMaker` card."""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx_needs.config import NeedsSphinxConfig
from sphinx_needs.data import NeedsCoreFields, SphinxNeedsData
from sphinx_needs.functions.functions import find_and_replace_node_content
from sphinx_needs.nodes import Need

from dmtrace.views.cards import CardMaker, stylesheet
from dmtrace.views.parameters import link_parameter_names, parameters_of

CSS_FILE = "trace_needs.css"
# sphinx-needs' default layout; a need, or a project, that asks for another one keeps sphinx-needs' rendering.
DEFAULT_LAYOUT = "clean"
# Before sphinx-needs' own doctree-resolved handler (500), which then finds no Need node left to format.
PRIORITY = 450
_HIDDEN_CORE_FIELDS = frozenset(name for name, props in NeedsCoreFields.items() if not props.get("show_in_layout"))


def register(app: Sphinx) -> None:
    app.add_config_value("trace_compact_needs", True, "env", types=[bool])
    app.connect("builder-inited", add_stylesheet)
    app.connect("doctree-resolved", render_needs, priority=PRIORITY)


def _enabled(app: Sphinx) -> bool:
    config = NeedsSphinxConfig(app.config)
    return (
        bool(app.config.trace_compact_needs)
        and config.include_needs
        and config.default_layout == DEFAULT_LAYOUT
        and not config.string_links
        and app.builder.format == "html"
    )


def render_needs(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    """`doctree-resolved`: replaces each Need node of the default layout with a compact card."""
    if not _enabled(app):
        return
    found = [node for node in doctree.findall(Need)]
    if not found:
        return
    data = SphinxNeedsData(app.env)
    needs = data.get_needs_view()
    card = CardMaker(app.builder, needs, fromdocname, list(data.get_schema().iter_link_fields()), _HIDDEN_CORE_FIELDS)
    for node in found:
        need = needs.get(node["ids"][0])
        if need is None or need["layout"] or need["style"]:
            continue  # sphinx-needs renders it (or reports it) as usual
        if node.get("docname") and node["docname"] != need["docname"]:
            continue  # a duplicate from another -j worker: sphinx-needs drops it
        if need["hide"]:
            node.parent.remove(node)
            continue
        find_and_replace_node_content(node, app.env, need)
        made = card.make(node, need)
        names = [str(item.get("name", "")) for item in parameters_of(need)]
        for block in made.findall(nodes.container):
            if "trace-specification" in block["classes"]:
                link_parameter_names(block, need["id"], names)
        node.replace_self(made)


def add_stylesheet(app: Sphinx) -> None:
    """`builder-inited`: writes the stylesheet before any page, so clean and incremental pages link it alike."""
    if app.builder.format != "html" or not app.config.trace_compact_needs:
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / CSS_FILE).write_text(stylesheet(NeedsSphinxConfig(app.config).types), encoding="utf-8")
    app.add_css_file(CSS_FILE)
