"""The traceability diff as a Markdown pull-request report (counts exact, long lists cut)."""

from __future__ import annotations

from dmtrace.core.diff import ARROW, COVERAGE_COLUMNS, CoverageRow, Relink, TextChange, TraceDiff
from dmtrace.core.model import Need
from dmtrace.core.status import NeedStatus, Trace
from dmtrace.core.words import md

# A pull-request comment holds 65,536 characters: long lists are cut, their counts stay exact.
MAX_VIOLATIONS_SHOWN = 50
MAX_ROWS_SHOWN = 100
DEFINITIONS = "docs/traceability/definitions.md"


def _ref(need: Need) -> str:
    return f"**{md(need.id)}**"


def _where(need: Need) -> str:
    return f"`{need.file}:{need.line}`"


def _kind(need: Need) -> str:
    return f"{need.type}, P{need.priority}" if need.priority else need.type


def _status(state: NeedStatus | None) -> str:
    if state is None:
        return "new"
    return (
        state.trace.value
        if state.trace in (Trace.UNTRACED, Trace.DESCOPED)
        else f"{state.trace.value}, {state.verification.value}"
    )


def _headline(diff: TraceDiff) -> list[str]:
    head, base = diff.head.evaluation.violations, diff.base.evaluation.violations
    lines = [f"## Traceability: {diff.base.label} {ARROW} {diff.head.label}", ""]
    if head:
        plural = "s" if len(head) != 1 else ""
        lines.append(
            f"**Rules fail at head: {len(head)} violation{plural}** "
            f"({len(diff.new_violations)} new; base had {len(base)})."
        )
    else:
        lines.append(f"**Rules pass at head** (base had {len(base)} violation{'s' if len(base) != 1 else ''}).")
    counts = [
        (len(diff.drops), "became untraced or unverified"),
        (len(diff.added), "added"),
        (len(diff.removed), "removed"),
        (len(diff.reprioritised), "re-prioritised"),
        (len(diff.relinked), "re-linked"),
        (len(diff.text), "text changed"),
        (len(diff.fields), "other fields changed"),
    ]
    lines.append("")
    changed = ", ".join(f"{count} {what}" for count, what in counts if count) or "no need changed"
    lines.append(f"{len(diff.base.tree.needs)} {ARROW} {len(diff.head.tree.needs)} needs: {changed}.")
    if head:
        lines += ["", "Violations at head:", ""]
        for violation in head[:MAX_VIOLATIONS_SHOWN]:
            marker = " (new)" if violation in diff.new_violations else ""
            lines.append(
                f"- `{violation.file}:{violation.line}` {md(violation.need_id)}: {md(violation.message)} "
                f"`[{violation.rule}]`{marker}"
            )
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
    header = "| Priority | " + " | ".join(c[0].upper() + c[1:] for c in COVERAGE_COLUMNS) + " |"
    lines = [
        "",
        "### Coverage per priority (DM requirements, base → head)",
        "",
        "Requirements of the DM catalogue only (`req` needs whose id matches `trace_signoff_scope`, by default "
        "`^DMS-REQ-`; not their verification elements), counted as `make report` counts them. Active ones: traced "
        "and verified by the tool's own measure, evidence from their test cases' last runs, sign-off from the "
        f"snapshot in force; descoped ones in their own column. Definitions: `{DEFINITIONS}`.",
        "",
        header,
        "|" + " --- |" * (len(COVERAGE_COLUMNS) + 1),
    ]
    for row in rows:
        cells = [_coverage_cell(b, a) for b, a in zip(row.before, row.after, strict=True)]
        lines.append(f"| {row.priority} | " + " | ".join(cells) + " |")
    return lines


def render_markdown(diff: TraceDiff) -> str:
    """The report: verdict and counts, then what got worse, then every change, then coverage before and after."""
    lines = _headline(diff)
    lines += _section(
        "Became untraced or unverified",
        [
            f"- {_ref(d.need)} (P{d.need.priority}) {md(d.need.title)}: {_status(d.before)} {ARROW} "
            f"**{_status(d.after)}** {_where(d.need)}"
            for d in diff.drops
        ],
    )
    lines += _section(
        "Became suspect",
        [
            f"- {_ref(n)} (P{n.priority}) {md(n.title)}: {md(diff.head.evaluation.suspects[n.id].text())} {_where(n)}"
            for n in diff.became_suspect
        ],
    )
    lines += _section("Added", [f"- {_ref(n)} ({_kind(n)}) {md(n.title)} {_where(n)}" for n in diff.added])
    lines += _section(
        "Removed", [f"- {_ref(n)} ({_kind(n)}) {md(n.title)} (was `{n.file}:{n.line}`)" for n in diff.removed]
    )
    lines += _section(
        "Re-prioritised",
        [
            f"- {_ref(c.need)} {md(c.need.title)}: {md(c.old) or '(none)'} {ARROW} "
            f"**{md(c.new) or '(none)'}** {_where(c.need)}"
            for c in diff.reprioritised
        ],
    )
    lines += _section("Re-linked", [f"- {_ref(r.need)}: {_link_changes(r)}" for r in diff.relinked])
    lines += _section(
        "Text changed",
        [f"- {_ref(t.need)}: " + "; ".join(_text_parts(t)) for t in diff.text],
    )
    lines += _section(
        "Other fields changed",
        [f"- {_ref(c.need)} {c.name}: {md(c.old) or '(none)'} {ARROW} {md(c.new) or '(none)'}" for c in diff.fields],
    )
    lines += _coverage_table(diff.coverage)
    return "\n".join(lines) + "\n"


def _text_parts(change: TextChange) -> list[str]:
    """Each changed part of a need's text, named: the specification (normative) apart from the discussion."""
    named = (
        ("title", change.title),
        ("specification", change.specification),
        ("discussion", change.discussion),
        ("parameters", change.parameters),
        ("body", change.body),
    )
    return [f"{name}: {words}" for name, words in named if words]
