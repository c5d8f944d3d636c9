"""Renders the reconciliation (`{trace-reconciliation}`): where sign-off and evidence disagree, counted per kind and
priority (requirements and verification elements apart), then each kind's items with the reason."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from docutils import nodes

from dmtrace.core.model import PRIORITIES, Need, natural_key
from dmtrace.core.status import priority_rank
from dmtrace.core.truth import (
    CAMPAIGN_DISAGREES,
    EVIDENCE_AFTER_SNAPSHOT,
    EVIDENCE_AWAITING_SIGNOFF,
    FAILING_AFTER_SIGNOFF,
    KINDS,
    SIGNED_OFF_WITHOUT_EVIDENCE,
    VerificationTruth,
)
from dmtrace.views.context import RenderContext, badge, css_class
from dmtrace.views.markup import Cell, Inline, Row, Span, lines, table

NO_PRIORITY = "none"
NO_VALUE = "—"
# Per kind: the heading, and what it means (the definitions page shows the same words).
KIND_TEXT: dict[str, tuple[str, str]] = {
    SIGNED_OFF_WITHOUT_EVIDENCE: (
        "Signed off without passing evidence",
        "Signed off in the snapshot (a VE Verified or Monitoring; a requirement Fully Verified by the roll-up), "
        "but the last runs of its test cases are not all passes (evidence other than Fully Verified).",
    ),
    EVIDENCE_AWAITING_SIGNOFF: (
        "Evidence awaiting sign-off",
        "Every last run of its test cases is a pass (evidence Fully Verified), but the snapshot does not sign it off.",
    ),
    EVIDENCE_AFTER_SNAPSHOT: (
        "Evidence after the snapshot",
        "The newest dated last run of its test cases is later than the snapshot, so the sign-off could not take "
        "it into account (a signed-off item with failures is listed as failing after sign-off instead).",
    ),
    FAILING_AFTER_SIGNOFF: (
        "Failing after sign-off",
        "Signed off, with failures in its evidence, and the newest dated last run of its test cases later than "
        "the snapshot.",
    ),
    CAMPAIGN_DISAGREES: (
        "Campaign disagrees with the VCD",
        "A test case's execution in the DMTR-412 campaign (undated) and its last run in the VCD (LDM-692) fall in "
        "different classes: one a pass, the other a failure or not executed.",
    ),
}
KIND_OF_NEED = {"req": "requirements", "subreq": "verification elements"}


@dataclass(frozen=True)
class Item:
    """One requirement or VE in one kind, and every reason given for it (one per test case for the campaign)."""

    kind: str
    need: Need
    details: tuple[str, ...]


def items(ctx: RenderContext) -> list[Item]:
    """The disagreements of the needs this view shows, one item per kind and need, in priority and id order."""
    graph = ctx.evaluation.graph
    details: dict[tuple[str, str], list[str]] = {}
    for found in ctx.evaluation.truth.disagreements:
        if found.need_id in graph.needs:
            details.setdefault((found.kind, found.need_id), []).append(found.detail)
    listed = [Item(kind, graph.needs[need_id], tuple(reasons)) for (kind, need_id), reasons in details.items()]
    return sorted(listed, key=lambda i: (priority_rank(i.need.priority), natural_key(i.need.id)))


def _label(need: Need) -> str:
    return need.priority if need.priority in PRIORITIES else NO_PRIORITY


# How the headline sentence names each kind, after its count.
KIND_PHRASES: dict[str, str] = {
    SIGNED_OFF_WITHOUT_EVIDENCE: "signed off without passing evidence",
    EVIDENCE_AWAITING_SIGNOFF: "with passing evidence awaiting sign-off",
    EVIDENCE_AFTER_SNAPSHOT: "with evidence dated after the snapshot",
    FAILING_AFTER_SIGNOFF: "failing after sign-off",
    CAMPAIGN_DISAGREES: "whose DMTR-412 campaign run disagrees with the VCD",
}


def _headline(ctx: RenderContext, found: Sequence[Item]) -> nodes.paragraph:
    truth = ctx.evaluation.truth
    if not found:
        text = f"Where do sign-off and evidence disagree? Nowhere. {truth.as_of_text()}"
        return nodes.paragraph(text, text, classes=["trace-as-of", "trace-reconciliation-summary"])
    types = Counter(need.type for need in {item.need.id: item.need for item in found}.values())
    where = " and ".join(f"{types[t]} {counted}" for t, counted in KIND_OF_NEED.items() if types[t])
    per_kind = Counter(item.kind for item in found)
    parts = "; ".join(f"{per_kind[kind]} {KIND_PHRASES[kind]}" for kind in KINDS if per_kind[kind])
    text = f"Where do sign-off and evidence disagree? On {where} of the DM catalogue: {parts}. {truth.as_of_text()}"
    return nodes.paragraph(text, text, classes=["trace-as-of", "trace-reconciliation-summary"])


def _count_table(ctx: RenderContext, found: Sequence[Item]) -> nodes.Node:
    labels = [*PRIORITIES, *([NO_PRIORITY] if any(_label(i.need) == NO_PRIORITY for i in found) else [])]
    counts = Counter((item.kind, item.need.type, _label(item.need)) for item in found)
    rows = []
    for kind in KINDS:
        for need_type, counted in KIND_OF_NEED.items():
            cells = [counts[(kind, need_type, label)] for label in labels]
            rows.append(Row([KIND_TEXT[kind][0], counted, *map(str, cells), str(sum(cells))], [css_class("k", kind)]))
    for need_type, counted in KIND_OF_NEED.items():
        cells = [sum(counts[(kind, need_type, label)] for kind in KINDS) for label in labels]
        rows.append(Row(["All kinds", counted, *map(str, cells), str(sum(cells))], ["trace-total"]))
    headers = ["Disagreement", "Items", *(f"P{label}" if label in PRIORITIES else label for label in labels), "Total"]
    return table(ctx, headers, rows, classes=["trace-counts", "trace-reconciliation-counts"])


def signoff_cell(truth: VerificationTruth, need_id: str) -> Cell:
    """The sign-off badge, the snapshot's date, and why it counts so when nothing was recorded."""
    state = truth.signoff.get(need_id)
    if state is None:
        return NO_VALUE
    first: list[Inline] = [badge(state.status, "so"), " ", Span(str(state.date or "no snapshot"), "trace-date")]
    return lines([first, [Span(state.note, "trace-note")]]) if state.note else first


def _item_table(ctx: RenderContext, kind: str, found: Sequence[Item]) -> nodes.Node:
    truth = ctx.evaluation.truth
    rows = []
    for item in found:
        evidence = truth.evidence.get(item.need.id)
        rows.append(
            Row(
                [
                    ctx.link(item.need.id),
                    Span(item.need.title, "trace-title"),
                    item.need.priority or NO_VALUE,
                    badge(evidence.value, "e") if evidence is not None else NO_VALUE,
                    signoff_cell(truth, item.need.id),
                    lines([detail] for detail in item.details),
                ],
                [css_class("p", _label(item.need))],
            )
        )
    return table(
        ctx,
        ["Item", "Title", "Priority", "Evidence", "Sign-off (snapshot)", "Detail"],
        rows,
        classes=["trace-reconciliation", css_class("trace-reconciliation", kind)],
        widths=[14, 22, 7, 12, 15, 30],
    )


def reconciliation(ctx: RenderContext) -> list[nodes.Node]:
    found = items(ctx)
    result: list[nodes.Node] = [_headline(ctx, found), _count_table(ctx, found)]
    for kind in KINDS:
        of_kind = [item for item in found if item.kind == kind]
        heading, meaning = KIND_TEXT[kind]
        title = f"{heading} ({len(of_kind)})"
        result.append(nodes.rubric(title, title, ids=[kind]))
        result.append(nodes.paragraph(meaning, meaning))
        result.append(_item_table(ctx, kind, of_kind) if of_kind else nodes.paragraph("", "None."))
    return result
