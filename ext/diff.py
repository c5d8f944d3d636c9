"""Traceability diff: compares the needs and statuses of two revisions and writes a Markdown pull-request report."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .checker import Evaluation
from .model import PRIORITIES, REQUIREMENT_TYPES, Need, Violation
from .sources import SourceTree
from .status import NeedStatus, Trace, Verification, priority_rank

ARROW = "→"
# Fields with a section of their own; every other field change is listed under "Other fields changed".
OWN_SECTION_FIELDS = frozenset({"priority"})
# A pull-request comment holds 65,536 characters: long lists are cut, their counts stay exact.
MAX_VIOLATIONS_SHOWN = 50
MAX_ROWS_SHOWN = 100
WORD_CONTEXT = 3
MAX_DIFF_WORDS = 40
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
        lost_verified = (before is not None and before.verification is Verification.VERIFIED
                         and after.verification not in (Verification.VERIFIED, Verification.DESCOPED))
        if became_untraced or lost_verified:
            drops.append(StatusDrop(head.tree.needs[need_id], before, after))
    return sorted(drops, key=lambda d: _order(d.need))


def field_changes(old: Need, new: Need) -> list[FieldChange]:
    names = sorted(old.fields.keys() | new.fields.keys())
    return [FieldChange(new, name, old.get(name), new.get(name)) for name in names
            if old.get(name) != new.get(name)]


def _relations(side: Side, need: Need) -> dict[str, list[str]]:
    graph = side.evaluation.graph
    if need.type in REQUIREMENT_TYPES:
        return {"tests": [t.id for t in graph.tests(need.id)], "parent": need.targets("refines"),
                "children": [c.id for c in graph.children(need.id)], "milestone": need.targets("milestone")}
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
    diff = TraceDiff(base, head, drops=status_drops(base, head),
                     added=sorted((new[i] for i in new.keys() - old.keys()), key=_order),
                     removed=sorted((old[i] for i in old.keys() - new.keys()), key=_order),
                     new_violations=new_violations(base.evaluation, head.evaluation))
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


# --- Markdown -------------------------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|~#"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;"})


def md(text: str) -> str:
    """Text from the sources, escaped so that GitHub Markdown shows it as typed."""
    return " ".join(text.split()).translate(_MD_SPECIAL)


def word_diff(old: str, new: str, context: int = WORD_CONTEXT, limit: int = MAX_DIFF_WORDS) -> str:
    """A short inline diff: ~~removed~~ **added** words with a little context; '' when the words are equal."""
    a, b = old.split(), new.split()
    if a == b:
        return ""
    parts: list[str] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            head = words[:context] if index > 0 else []
            tail = words[-context:] if index < len(opcodes) - 1 else []
            if len(words) > len(head) + len(tail):
                parts.extend([*map(md, head), "…", *map(md, tail)])
            else:
                parts.extend(map(md, words))
            continue
        if i2 > i1:
            parts.append(f"~~{md(' '.join(a[i1:i2]))}~~")
        if j2 > j1:
            parts.append(f"**{md(' '.join(b[j1:j2]))}**")
    text = " ".join(p for p in parts if p)
    words = text.split(" ")
    return text if len(words) <= limit else " ".join(words[:limit]) + " …"


def _ref(need: Need) -> str:
    return f"**{md(need.id)}**"


def _where(need: Need) -> str:
    return f"`{need.file}:{need.line}`"


def _kind(need: Need) -> str:
    return f"{need.type}, P{need.priority}" if need.priority else need.type


def _status(state: NeedStatus | None) -> str:
    if state is None:
        return "new"
    return state.trace.value if state.trace in (Trace.UNTRACED, Trace.DESCOPED) else \
        f"{state.trace.value}, {state.verification.value}"


def _headline(diff: TraceDiff) -> list[str]:
    head, base = diff.head.evaluation.violations, diff.base.evaluation.violations
    lines = [f"## Traceability: {diff.base.label} {ARROW} {diff.head.label}", ""]
    if head:
        plural = "s" if len(head) != 1 else ""
        lines.append(f"**Rules fail at head: {len(head)} violation{plural}** "
                     f"({len(diff.new_violations)} new; base had {len(base)}).")
    else:
        lines.append(f"**Rules pass at head** (base had {len(base)} violation{'s' if len(base) != 1 else ''}).")
    counts = [(len(diff.drops), "became untraced or unverified"), (len(diff.added), "added"),
              (len(diff.removed), "removed"), (len(diff.reprioritised), "re-prioritised"),
              (len(diff.relinked), "re-linked"), (len(diff.text), "text changed"),
              (len(diff.fields), "other fields changed")]
    lines.append("")
    changed = ", ".join(f"{count} {what}" for count, what in counts if count) or "no need changed"
    lines.append(f"{len(diff.base.tree.needs)} {ARROW} {len(diff.head.tree.needs)} needs: {changed}.")
    if head:
        lines += ["", "Violations at head:", ""]
        for violation in head[:MAX_VIOLATIONS_SHOWN]:
            marker = " (new)" if violation in diff.new_violations else ""
            lines.append(f"- `{violation.file}:{violation.line}` {md(violation.need_id)}: {md(violation.message)} "
                         f"`[{violation.rule}]`{marker}")
        if len(head) > MAX_VIOLATIONS_SHOWN:
            lines.append(f"- … and {len(head) - MAX_VIOLATIONS_SHOWN} more (run `make check`)")
    return lines


def _section(title: str, rows: list[str]) -> list[str]:
    if not rows:
        return []
    more = [f"- … and {len(rows) - MAX_ROWS_SHOWN} more"] if len(rows) > MAX_ROWS_SHOWN else []
    return ["", f"### {title} ({len(rows)})", "", *rows[:MAX_ROWS_SHOWN], *more]


def _link_changes(relink: Relink) -> str:
    parts = []
    for relation, gained, lost in relink.changes:
        words = [f"{verb} {', '.join(map(md, ids))}" for verb, ids in (("gained", gained), ("lost", lost)) if ids]
        parts.append(f"{relation} {' and '.join(words)}")
    return "; ".join(parts)


def _coverage_cell(before: int, after: int) -> str:
    return str(after) if before == after else f"{before} {ARROW} {after}"


def _coverage_table(rows: list[CoverageRow]) -> list[str]:
    header = "| Priority | " + " | ".join(c.capitalize() for c in COVERAGE_COLUMNS) + " |"
    lines = ["", "### Coverage per priority (requirements and sub-requirements, base → head)", "", header,
             "|" + " --- |" * (len(COVERAGE_COLUMNS) + 1)]
    for row in rows:
        cells = [_coverage_cell(b, a) for b, a in zip(row.before, row.after, strict=True)]
        lines.append(f"| {row.priority} | " + " | ".join(cells) + " |")
    return lines


def render_markdown(diff: TraceDiff) -> str:
    """The report: verdict and counts, then what got worse, then every change, then coverage before and after."""
    lines = _headline(diff)
    lines += _section("Became untraced or unverified", [
        f"- {_ref(d.need)} (P{d.need.priority}) {md(d.need.title)}: {_status(d.before)} {ARROW} "
        f"**{_status(d.after)}** {_where(d.need)}" for d in diff.drops])
    lines += _section("Added", [f"- {_ref(n)} ({_kind(n)}) {md(n.title)} {_where(n)}"
                                for n in diff.added])
    lines += _section("Removed", [f"- {_ref(n)} ({_kind(n)}) {md(n.title)} (was `{n.file}:{n.line}`)"
                                  for n in diff.removed])
    lines += _section("Re-prioritised", [f"- {_ref(c.need)} {md(c.need.title)}: {md(c.old) or '(none)'} {ARROW} "
                                         f"**{md(c.new) or '(none)'}** {_where(c.need)}" for c in diff.reprioritised])
    lines += _section("Re-linked", [f"- {_ref(r.need)}: {_link_changes(r)}" for r in diff.relinked])
    lines += _section("Text changed", [
        f"- {_ref(t.need)}: " + "; ".join(p for p in (t.title and f"title: {t.title}", t.body and f"body: {t.body}")
                                          if p) for t in diff.text])
    lines += _section("Other fields changed", [
        f"- {_ref(c.need)} {c.name}: {md(c.old) or '(none)'} {ARROW} {md(c.new) or '(none)'}" for c in diff.fields])
    lines += _coverage_table(diff.coverage)
    return "\n".join(lines) + "\n"
