"""Traceability diff: compares the needs, links, statuses and coverage of two revisions."""

from __future__ import annotations

from dataclasses import dataclass, field

from dmtrace.core.evaluation import Evaluation
from dmtrace.core.model import PRIORITIES, REQUIREMENT_TYPES, Need, Violation
from dmtrace.core.reader import SourceTree
from dmtrace.core.status import NeedStatus, Trace, Verification, priority_rank
from dmtrace.core.words import word_diff

ARROW = "→"
# Fields with a section of their own; every other field change is listed under "Other fields changed".
OWN_SECTION_FIELDS = frozenset({"priority"})
COVERAGE_COLUMNS = ("requirements", "traced", "verified", "untraced", "descoped")


@dataclass(frozen=True)
class Side:
    """One revision: how the report names it, its needs, and the rules' verdict on them."""

    label: str
    tree: SourceTree
    evaluation: Evaluation


@dataclass(frozen=True)
class StatusDrop:
    """A requirement that became untraced or lost its verified status (`before` is None for a new one)."""

    need: Need
    before: NeedStatus | None
    after: NeedStatus


@dataclass(frozen=True)
class FieldChange:
    need: Need
    name: str
    old: str
    new: str


@dataclass(frozen=True)
class Relink:
    """Links of one need gained and lost, per relation ("tests", "parent", ...): (relation, gained, lost)."""

    need: Need
    changes: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]


@dataclass(frozen=True)
class TextChange:
    need: Need
    title: str
    body: str


@dataclass(frozen=True)
class CoverageRow:
    priority: str
    before: tuple[int, ...]
    after: tuple[int, ...]


@dataclass(frozen=True)
class TraceDiff:
    """Everything the report shows, already sorted."""

    base: Side
    head: Side
    drops: list[StatusDrop] = field(default_factory=list)
    added: list[Need] = field(default_factory=list)
    removed: list[Need] = field(default_factory=list)
    reprioritised: list[FieldChange] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)
    relinked: list[Relink] = field(default_factory=list)
    text: list[TextChange] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    new_violations: set[Violation] = field(default_factory=set)


def _order(need: Need) -> tuple[int, str]:
    return (priority_rank(need.priority), need.id)


def _violation_key(violation: Violation) -> tuple[str, str, str]:
    """What makes a violation 'the same' in both revisions: lines move when a file is edited above it."""
    return (violation.need_id, violation.rule, violation.message)


def new_violations(base: Evaluation, head: Evaluation) -> set[Violation]:
    known = {_violation_key(v) for v in base.violations}
    return {v for v in head.violations if _violation_key(v) not in known}


def status_drops(base: Side, head: Side) -> list[StatusDrop]:
    drops: list[StatusDrop] = []
    for need_id, after in head.evaluation.statuses.items():
        before = base.evaluation.statuses.get(need_id)
        became_untraced = after.trace is Trace.UNTRACED and (before is None or before.trace is not Trace.UNTRACED)
        lost_verified = (
            before is not None
            and before.verification is Verification.VERIFIED
            and after.verification not in (Verification.VERIFIED, Verification.DESCOPED)
        )
        if became_untraced or lost_verified:
            drops.append(StatusDrop(head.tree.needs[need_id], before, after))
    return sorted(drops, key=lambda d: _order(d.need))


def field_changes(old: Need, new: Need) -> list[FieldChange]:
    names = sorted(old.fields.keys() | new.fields.keys())
    return [FieldChange(new, name, old.get(name), new.get(name)) for name in names if old.get(name) != new.get(name)]


def _relations(side: Side, need: Need) -> dict[str, list[str]]:
    graph = side.evaluation.graph
    if need.type in REQUIREMENT_TYPES:
        return {
            "tests": [t.id for t in graph.tests(need.id)],
            "parent": need.targets("refines"),
            "children": [c.id for c in graph.children(need.id)],
            "milestone": need.targets("milestone"),
        }
    if need.type == "milestone":
        return {"after": need.targets("after")}
    # A test's links show on the requirements it verifies, so they are not listed twice.
    return {}


def relink(base: Side, head: Side, old: Need, new: Need) -> Relink | None:
    before, after = _relations(base, old), _relations(head, new)
    changes = []
    for relation, now in after.items():
        was = before.get(relation, [])
        gained = tuple(sorted(set(now) - set(was)))
        lost = tuple(sorted(set(was) - set(now)))
        if gained or lost:
            changes.append((relation, gained, lost))
    return Relink(new, tuple(changes)) if changes else None


def coverage(side: Side) -> dict[str, tuple[int, ...]]:
    counts = {priority: [0] * len(COVERAGE_COLUMNS) for priority in PRIORITIES}
    for need_id, state in side.evaluation.statuses.items():
        row = counts.get(side.tree.needs[need_id].priority)
        if row is None:
            continue
        row[0] += 1
        row[1] += state.trace in (Trace.DIRECT, Trace.CHILDREN)
        row[2] += state.verification is Verification.VERIFIED
        row[3] += state.trace is Trace.UNTRACED
        row[4] += state.trace is Trace.DESCOPED
    return {priority: tuple(row) for priority, row in counts.items()}


def compare(base: Side, head: Side) -> TraceDiff:
    """The traceability difference from `base` to `head`."""
    old, new = base.tree.needs, head.tree.needs
    both = sorted(old.keys() & new.keys(), key=lambda i: _order(new[i]))
    diff = TraceDiff(
        base,
        head,
        drops=status_drops(base, head),
        added=sorted((new[i] for i in new.keys() - old.keys()), key=_order),
        removed=sorted((old[i] for i in old.keys() - new.keys()), key=_order),
        new_violations=new_violations(base.evaluation, head.evaluation),
    )
    for need_id in both:
        for change in field_changes(old[need_id], new[need_id]):
            (diff.reprioritised if change.name in OWN_SECTION_FIELDS else diff.fields).append(change)
        if (links := relink(base, head, old[need_id], new[need_id])) is not None:
            diff.relinked.append(links)
        title = word_diff(old[need_id].title, new[need_id].title)
        body = word_diff(old[need_id].content, new[need_id].content)
        if title or body:
            diff.text.append(TextChange(new[need_id], title, body))
    before, after = coverage(base), coverage(head)
    diff.coverage.extend(CoverageRow(p, before[p], after[p]) for p in PRIORITIES)
    return diff
