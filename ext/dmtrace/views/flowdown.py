"""The flow-down page of an upstream document (`{trace-flowdown}` with `:document: LSE-30`): each of its
requirements that LSE-61 derives from, with its title and the DMS requirements that flow down from it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from docutils import nodes

from dmtrace.core.model import Need, natural_key
from dmtrace.views.context import RenderContext
from dmtrace.views.markup import Inline, NeedRef, Row, Span, table

FLOWDOWN_LINK = "flows_from"


def derived_by(needs: Mapping[str, Need]) -> dict[str, list[str]]:
    """Upstream id -> the requirements whose `flows_from` names it, in id order."""
    found: dict[str, list[str]] = {}
    for need_id in sorted(needs, key=natural_key):
        for target in needs[need_id].targets(FLOWDOWN_LINK):
            found.setdefault(target, []).append(need_id)
    return found


def _joined(ids: Iterable[str]) -> list[Inline]:
    shown: list[Inline] = []
    for need_id in ids:
        shown += [", ", NeedRef(need_id)] if shown else [NeedRef(need_id)]
    return shown


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary(document: str, upstream: list[Need], derived: Mapping[str, list[str]]) -> str:
    """The counts at the top: upstream requirements, the DMS requirements deriving from them, the links."""
    links = sum(len(derived.get(need.id, [])) for need in upstream)
    reqs = {req for need in upstream for req in derived.get(need.id, [])}
    verb = "derives" if len(reqs) == 1 else "derive"
    return (
        f"{_count(len(upstream), 'requirement')} of {document}; "
        f"{_count(len(reqs), 'DMS requirement')} {verb} from them ({_count(links, 'link')})."
    )


def flowdown(ctx: RenderContext, document: str) -> list[nodes.Node]:
    """The counts, then one row per upstream requirement of `document`: id, title, what derives from it."""
    needs = ctx.evaluation.graph.needs
    upstream = sorted(
        (n for n in needs.values() if n.type == "upstream" and n.get("document") == document),
        key=lambda n: natural_key(n.id),
    )
    if not upstream:
        text = f"No upstream requirement of {document} is defined."
        return [nodes.paragraph(text, text)]
    derived = derived_by(needs)
    text = summary(document, upstream, derived)
    rows = (
        Row([NeedRef(need.id), Span(need.title, "trace-title"), _joined(derived.get(need.id, []))]) for need in upstream
    )
    return [
        nodes.paragraph(text, text, classes=["trace-flowdown-counts"]),
        table(
            ctx,
            [f"{document} requirement", "Title", "Derived DMS requirements"],
            rows,
            classes=["trace-flowdown"],
            widths=[15, 35, 50],
            filter_label=f"{document} flow-down",
        ),
    ]
