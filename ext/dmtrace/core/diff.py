"""Traceability diff: compares the needs, links, statuses and coverage of two revisions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dmtrace.core.evaluation import Evaluation
from dmtrace.core.evidence import Evidence
from dmtrace.core.model import PRIORITIES, REQUIREMENT_TYPES, Need, Violation
from dmtrace.core.needtext import other_text
from dmtrace.core.reader import SourceTree
from dmtrace.core.signoff import SignOff
from dmtrace.core.status import NeedStatus, Trace, Verification, priority_rank
from dmtrace.core.summary import NO_PRIORITY, TOTAL, catalogue_requirements, evidence_of, priority_label, signoff_of
from dmtrace.core.words import word_diff

ARROW = "→"
# Fields with a section of their own; every other field change is listed under "Other fields changed".
OWN_SECTION_FIELDS = frozenset({"priority"})
# The coverage table counts the DM catalogue's requirements (`req` in the sign-off scope, as `make report` does):
# active ones by the tool's trace measure, by evidence and by sign-off; descoped ones in a column of their own.
COVERAGE_COLUMNS = (
    "active requirements",
    "traced",
    "verified",
    "untraced",
    "evidence: Fully Verified",
    "evidence: With Failures",
    "sign-off: Fully Verified",
    "descoped",
)


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
    """Word diffs of a need's title, its specification and discussion blocks, and the rest of its body."""

    need: Need
    title: str
    body: str
    specification: str = ""
    discussion: str = ""
    parameters: str = ""


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
    became_suspect: list[Need] = field(default_factory=list)


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
            "derives from": need.targets("derives_from"),
            "flows down from": need.targets("flows_from"),
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


def _coverage_columns(evaluation: Evaluation, need: Need) -> list[str]:
    """The COVERAGE_COLUMNS one DM requirement counts in."""
    if not need.is_active:
        return ["descoped"]
    state = evaluation.statuses.get(need.id, NeedStatus(Trace.UNTRACED, Verification.UNTRACED))
    marks = {
        "active requirements": True,
        "traced": state.trace in (Trace.DIRECT, Trace.CHILDREN),
        "verified": state.verification is Verification.VERIFIED,
        "untraced": state.trace is Trace.UNTRACED,
        "evidence: Fully Verified": evidence_of(evaluation.truth, need) == Evidence.FULLY_VERIFIED,
        "evidence: With Failures": evidence_of(evaluation.truth, need) == Evidence.WITH_FAILURES,
        "sign-off: Fully Verified": signoff_of(evaluation.truth, need) == SignOff.FULLY_VERIFIED,
    }
    return [column for column, counted in marks.items() if counted]


def coverage(side: Side) -> dict[str, tuple[int, ...]]:
    """Per priority (and `none`, TOTAL), the COVERAGE_COLUMNS counts of the DM catalogue's requirements."""
    evaluation = side.evaluation
    counts: dict[str, Counter[str]] = {label: Counter() for label in (*PRIORITIES, NO_PRIORITY, TOTAL)}
    for need in catalogue_requirements(evaluation.graph, evaluation.truth):
        columns = _coverage_columns(evaluation, need)
        counts[priority_label(need)].update(columns)
        counts[TOTAL].update(columns)
    return {label: tuple(counter[column] for column in COVERAGE_COLUMNS) for label, counter in counts.items()}


def parameters_text(need: Need) -> str:
    """A need's parameters as words, for the diff: `NAME = VALUE UNIT (unconfirmed): description; ...`."""
    return "; ".join(
        f"{p.name} = {p.value} {p.unit}".rstrip() + ("" if p.confirmed else " (unconfirmed)") + f": {p.description}"
        for p in need.parameters
    )


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
        became_suspect=sorted(
            (new[i] for i in head.evaluation.suspects.keys() - base.evaluation.suspects.keys() if i in new),
            key=_order,
        ),
    )
    for need_id in both:
        for change in field_changes(old[need_id], new[need_id]):
            (diff.reprioritised if change.name in OWN_SECTION_FIELDS else diff.fields).append(change)
        if (links := relink(base, head, old[need_id], new[need_id])) is not None:
            diff.relinked.append(links)
        title = word_diff(old[need_id].title, new[need_id].title)
        body = word_diff(other_text(old[need_id].content), other_text(new[need_id].content))
        specification = word_diff(old[need_id].specification, new[need_id].specification)
        discussion = word_diff(old[need_id].discussion, new[need_id].discussion)
        parameters = word_diff(parameters_text(old[need_id]), parameters_text(new[need_id]))
        if title or body or specification or discussion or parameters:
            diff.text.append(TextChange(new[need_id], title, body, specification, discussion, parameters))
    before, after = coverage(base), coverage(head)
    shown = [*PRIORITIES, *([NO_PRIORITY] if any(before[NO_PRIORITY]) or any(after[NO_PRIORITY]) else []), TOTAL]
    diff.coverage.extend(CoverageRow(label, before[label], after[label]) for label in shown)
    return diff
