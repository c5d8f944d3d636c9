"""Requirement parameters: the table on a requirement's card, and the site-wide index (`{trace-parameters}`): each
parameter name with its value, unit and the requirements that use it; unconfirmed values are marked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from docutils import nodes

from dmtrace.core.model import Parameter, natural_key
from dmtrace.views.context import RenderContext
from dmtrace.views.markup import Inline, NeedRef, Row, Span, lines, table, text_html

PARAMETER_COLUMNS = ("Name", "Value", "Unit", "Description")
UNCONFIRMED = "unconfirmed"
UNCONFIRMED_NOTE = "not confirmed by the current edition's text"


def parameters_of(need: Any) -> list[Mapping[str, Any]]:
    """The need's parameters as needs.json has them (a list of {name, value, unit, description, confirmed})."""
    value = need.get("parameters") or []
    return [item for item in value if isinstance(item, Mapping)]


def parameter_anchor(need_id: str, name: str) -> str:
    """The id of a parameter's row in its requirement's card (what a name in the specification links to)."""
    return f"{need_id}-parameter-{name}"


def link_parameter_names(block: nodes.Element, need_id: str, names: Iterable[str]) -> None:
    """Each parameter name written in `block` (a specification) becomes a link to its row in the card's table."""
    wanted = sorted({name for name in names if name}, key=len, reverse=True)
    if not wanted:
        return
    pattern = re.compile(r"\b(" + "|".join(re.escape(name) for name in wanted) + r")\b")
    for text in list(block.findall(nodes.Text)):
        if isinstance(text.parent, (nodes.reference, nodes.literal)) or not pattern.search(text.astext()):
            continue
        pieces: list[nodes.Node] = []
        position = 0
        value = text.astext()
        for match in pattern.finditer(value):
            pieces.append(nodes.Text(value[position : match.start()]))
            link = nodes.reference(
                "", "", refuri=f"#{parameter_anchor(need_id, match[1])}", classes=["trace-parameter"]
            )
            link += nodes.literal(match[1], match[1])
            pieces.append(link)
            position = match.end()
        pieces.append(nodes.Text(value[position:]))
        text.parent.replace(text, pieces)


def parameters_html(need: Any) -> str:
    """The card's parameter table ("" when the need has none); an unconfirmed row is marked in words and class."""
    items = parameters_of(need)
    if not items:
        return ""
    head = "".join(f"<th>{text_html(column)}</th>" for column in PARAMETER_COLUMNS)
    rows = []
    for item in items:
        confirmed = bool(item.get("confirmed", True))
        mark = "" if confirmed else f' <span class="needs_note" title="{UNCONFIRMED_NOTE}">({UNCONFIRMED})</span>'
        cells = [
            f"<td><code>{text_html(str(item.get('name', '')))}</code>{mark}</td>",
            *(f"<td>{text_html(str(item.get(key, '')))}</td>" for key in ("value", "unit", "description")),
        ]
        row_class = "" if confirmed else ' class="trace-unconfirmed"'
        anchor = escape(parameter_anchor(str(need.get("id", "")), str(item.get("name", ""))))
        rows.append(f'<tr id="{anchor}"{row_class}>{"".join(cells)}</tr>')
    return (
        '<table class="needs_parameters"><caption>Parameters</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>\n"
    )


def _value(value: str, uses: list[tuple[str, Parameter]]) -> list[Inline]:
    """A value, and the requirements whose text does not confirm it (`:confirmed: no`)."""
    unconfirmed = [need_id for need_id, p in uses if p.value == value and not p.confirmed]
    shown: list[Inline] = [value]
    if unconfirmed:
        shown.append(Span(f" ({UNCONFIRMED}: {', '.join(unconfirmed)})", "trace-unconfirmed"))
    return shown


def _joined(items: Iterable[Inline]) -> list[Inline]:
    shown: list[Inline] = []
    for item in items:
        shown += [", ", item] if shown else [item]
    return shown


def index_rows(by_name: Mapping[str, list[tuple[str, Parameter]]]) -> Iterable[Row]:
    for name in sorted(by_name, key=lambda name: (name.lower(), name)):
        uses = by_name[name]
        values = list(dict.fromkeys(p.value for _, p in uses))
        units = list(dict.fromkeys(p.unit for _, p in uses if p.unit))
        descriptions = list(dict.fromkeys(p.description for _, p in uses if p.description))
        yield Row(
            [
                Span(name, "trace-id"),
                lines(_value(value, uses) for value in values),
                lines([unit] for unit in units),
                _joined(NeedRef(need_id) for need_id, _ in uses),
                lines([text] for text in descriptions),
            ],
            classes=[] if all(p.confirmed for _, p in uses) else [UNCONFIRMED],
        )


def parameter_index(ctx: RenderContext) -> nodes.Node:
    """Every parameter of the requirements in scope, by name: value, unit, the requirements using it, description."""
    by_name: dict[str, list[tuple[str, Parameter]]] = {}
    for need_id, need in sorted(ctx.evaluation.graph.needs.items(), key=lambda item: natural_key(item[0])):
        for parameter in need.parameters:
            by_name.setdefault(parameter.name, []).append((need_id, parameter))
    if not by_name:
        return nodes.paragraph("", "No requirement has parameters.")
    return table(
        ctx,
        ["Parameter", "Value", "Unit", "Used by", "Description"],
        index_rows(by_name),
        classes=["trace-parameters"],
        widths=[18, 12, 12, 18, 40],
        filter_label="Parameters",
    )
