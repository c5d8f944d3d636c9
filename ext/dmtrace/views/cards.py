"""Compact need cards: one HTML summary per need instead of sphinx-needs' layout table (about half its build).

Fields carry readable labels (views/labels.py); a requirement's or VE's evidence and sign-off stand side by side;
a test case shows its deciding record and its execution history (views/history.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from html import escape
from typing import Any

from docutils import nodes
from sphinx.builders import Builder

from dmtrace.core.model import BODY_LISTS, TEXT_FIELDS
from dmtrace.views.context import css_class
from dmtrace.views.history import RESULT_FIELDS, history_html, records_of, result_fields
from dmtrace.views.labels import field_label, link_label, signoff_label
from dmtrace.views.markup import Links, text_html
from dmtrace.views.parameters import parameters_html

# Shown side by side on their own line, not in the field list.
TRUTH_FIELDS = frozenset(
    {"evidence", "signoff", "signoff_date", "signoff_note", "suspect", "suspect_change", "suspect_outdates"}
)
# The requirement's text shows as its own blocks in the card's content, not in the field list.
SHOWN_AS_CONTENT = frozenset({*TEXT_FIELDS, *BODY_LISTS})


class CardMaker:
    """Builds the card of one need: heading line, fields, links both ways (one HTML string), then its own content.

    Only HTML builders get compact cards, so the summary lines are written as HTML directly: about sixty docutils
    nodes per need fewer to create, translate and garbage-collect.
    """

    def __init__(
        self, builder: Builder, needs: Any, fromdocname: str, link_fields: list[Any], hidden_fields: frozenset[str]
    ) -> None:
        self.needs = needs
        self.links = Links(lambda docname: builder.get_relative_uri(fromdocname, docname), {}, fromdocname)
        self.hidden_fields = hidden_fields
        self.link_fields = link_fields
        self.link_names = frozenset(name for link in link_fields for name in (link.name, f"{link.name}_back"))
        self.shown_apart = self.link_names | TRUTH_FIELDS | RESULT_FIELDS | SHOWN_AS_CONTENT
        self.shown_by_type: dict[str, list[str]] = {}

    def make(self, node: nodes.Element, need: Any) -> nodes.container:
        kind = "".join(need["type"].split())
        card = nodes.container(ids=list(node["ids"]), classes=["need", "needs_compact", f"needs_type_{kind}"])
        card += nodes.raw("", self.summary_html(need), format="html")
        card += node.children
        return card

    def summary_html(self, need: Any) -> str:
        need_id = escape(need["id"])
        parts = [
            f'<p class="needs_head"><span class="needs_type_name">{text_html(need["type_name"])}</span>: '
            f'<strong class="needs_title">{text_html(need["title"])}</strong> '
            f'<a class="needs-id reference internal" href="#{need_id}">{text_html(need["id"])}</a></p>\n'
        ]
        fields = "".join(self._fields(need))
        if fields:
            parts.append(f'<p class="needs_meta">{fields}</p>\n')
        truth = self._truth(need)
        if truth:
            parts.append(f'<p class="needs_truth">{truth}</p>\n')
        results = "".join(_field_html(name, field_label(name), text) for name, text in result_fields(need))
        if results:
            parts.append(f'<p class="needs_result">{results}</p>\n')
        for label, targets in self._links(need):
            links = ", ".join(self._reference(target) for target in targets)
            parts.append(
                f'<p class="needs_links"><span class="needs_label">{text_html(link_label(label))}: </span>{links}</p>\n'
            )
        parts.append(parameters_html(need))
        parts.append(history_html(records_of(need)))
        return "".join(parts)

    def _truth(self, need: Any) -> str:
        """Evidence (what the test runs show) and sign-off (what was recorded, as of its snapshot), side by side."""
        shown = []
        evidence, signoff = need.get("evidence") or "", need.get("signoff") or ""
        if evidence:
            shown.append(_field_html("evidence", field_label("evidence"), evidence, _badge_classes("e", evidence)))
        if signoff:
            label = signoff_label(need.get("signoff_date") or "")
            note = need.get("signoff_note") or ""
            shown.append(_field_html("signoff", label, signoff, _badge_classes("so", signoff), note))
        if need.get("suspect") is True:
            note = f"{need.get('suspect_change') or ''}; outdates the {need.get('suspect_outdates') or 'evidence'}"
            shown.append(
                _field_html("suspect", field_label("suspect"), "suspect", _badge_classes("x", "suspect"), note)
            )
        return "".join(shown)

    def _fields(self, need: Any) -> Iterator[str]:
        names = self.shown_by_type.get(need["type"])
        if names is None:
            # Every need of a type has the same keys, in the same order: filter them once.
            names = [name for name in need if name not in self.hidden_fields and name not in self.shown_apart]
            self.shown_by_type[need["type"]] = names
        for name in names:
            value = need[name]
            if value is None or value == "" or value == []:
                continue
            text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
            yield _field_html(name, field_label(name), text)

    def _links(self, need: Any) -> Iterable[tuple[str, list[str]]]:
        for link in self.link_fields:
            if need[link.name]:
                yield link.display.outgoing, list(need[link.name])
            if need[f"{link.name}_back"]:
                yield link.display.incoming, list(need[f"{link.name}_back"])

    def _reference(self, target_id: str) -> str:
        main_id, _, part = target_id.partition(".")
        target = self.needs.get(main_id)
        if target is None or (part and part not in target["parts"]):
            return f'<span class="needs_dead_link">{text_html(target_id)}</span>'
        if target["is_external"]:
            return (
                f'<a class="external_link reference external" href="{escape(target["external_url"] or "")}">'
                f"{text_html(target_id)}</a>"
            )
        anchor = f"{main_id}.{part}" if part else main_id
        href = f"{self.links.page_uri(target['docname'])}#{anchor}"
        return (
            f'<a class="reference internal" href="{escape(href)}" title="{escape(target["title"])}">'
            f"{text_html(target_id)}</a>"
        )


def _field_html(name: str, label: str, text: str, data_classes: str = "", note: str = "") -> str:
    """One labelled field of a card: `<span class="needs_NAME">` with its label, its value and a note on it."""
    classes = f"needs_data {data_classes}" if data_classes else "needs_data"
    noted = f' <span class="needs_note">({text_html(note)})</span>' if note else ""
    return (
        f'<span class="needs_{escape(name)}"><span class="needs_label">{text_html(label)}: </span>'
        f'<span class="{escape(classes)}">{text_html(text)}</span>{noted}</span>'
    )


def _badge_classes(prefix: str, value: str) -> str:
    """A status shown as the views show it: a badge whose class names the value (`e-fully-verified`)."""
    return f"trace-badge {css_class(prefix, value)}"


def stylesheet(need_types: Iterable[Mapping[str, Any]]) -> str:
    rules = [
        ".need.needs_compact { border: 1px solid var(--pst-color-border, #ccc); border-left-width: 4px;"
        " border-radius: 4px; padding: 0.4rem 0.9rem; margin: 0.9rem 0; }",
        ".needs_compact > p { margin: 0.2rem 0; }",
        ".needs_compact .needs_meta, .needs_compact .needs_links, .needs_compact .needs_truth,"
        " .needs_compact .needs_result { font-size: 0.88em; }",
        ".needs_compact .needs_meta > span:not(:last-child)::after,"
        ' .needs_compact .needs_result > span:not(:last-child)::after { content: "\\00b7"; margin: 0 0.45em; }',
        ".needs_compact .needs_truth { display: flex; flex-wrap: wrap; gap: 0.2rem 1.5rem; }",
        ".needs_compact .needs_note { color: var(--pst-color-text-muted, #666); }",
        ".needs_compact table.needs_executions { font-size: 0.82em; margin: 0.3rem 0 0.4rem;"
        " border-collapse: collapse; }",
        ".needs_compact table.needs_executions caption { caption-side: top; text-align: left;"
        " color: var(--pst-color-text-muted, #666); padding: 0 0 0.15rem; }",
        ".needs_compact table.needs_parameters { font-size: 0.82em; margin: 0.3rem 0 0.4rem; }",
        ".needs_compact table.needs_parameters caption { caption-side: top; text-align: left; }",
        ".needs_compact table.needs_parameters tr.trace-unconfirmed td { font-style: italic; }",
        ".needs_compact table.needs_parameters th, .needs_compact table.needs_parameters td,"
        " .needs_compact table.needs_executions th, .needs_compact table.needs_executions td {"
        " padding: 0.1rem 0.6rem 0.1rem 0; text-align: left; vertical-align: top; border: none; }",
        ".needs_compact .needs_label { color: var(--pst-color-text-muted, #666); }",
        ".needs_compact .needs_dead_link { text-decoration: line-through; }",
        ".needs_compact .trace-text > .rubric { font-size: 0.85em; margin: 0.5rem 0 0.1rem;"
        " color: var(--pst-color-text-muted, #666); }",
        ".needs_compact .trace-specification { border-left: 2px solid var(--pst-color-border, #ccc);"
        " padding-left: 0.6rem; }",
    ]
    for need_type in need_types:
        kind = "".join(str(need_type.get("directive", "")).split())
        if kind and need_type.get("color"):
            rules.append(f".needs_compact.needs_type_{kind} {{ border-left-color: {need_type['color']}; }}")
    return "\n".join(rules) + "\n"
