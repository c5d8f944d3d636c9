"""The traceability rules: each a small function from the needs to the violations it finds."""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property

from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import (
    BASELINE_ENTRY,
    FIELDS,
    FORECAST_ENTRY,
    ISO_DATE,
    ISO_MONTH,
    LINK_TYPES,
    NEED_TYPES,
    RENAMED_ENTRY,
    STATUSES,
    IdOccurrence,
    IdPatterns,
    Need,
    Violation,
    id_patterns,
)
from dmtrace.core.nodeids import missing, named_nodes
from dmtrace.core.outcomes import TestResult
from dmtrace.core.results import ResultSet
from dmtrace.core.status import BROKEN, StatusComputer, Trace, Verification


@dataclass(frozen=True)
class CheckInput:
    """Everything the rules look at."""

    graph: NeedGraph
    occurrences: list[IdOccurrence]
    results: ResultSet
    strict: bool = False
    id_patterns: IdPatterns = field(default_factory=id_patterns)

    @cached_property
    def latest(self) -> dict[str, TestResult]:
        return self.results.latest()

    @cached_property
    def status(self) -> StatusComputer:
        return StatusComputer(self.graph, self.latest)

    @cached_property
    def missing_pytest_nodes(self) -> dict[str, list[str]]:
        """Per test case, the `pytest` node ids that ran in none of the loaded JUnit files (none loaded: none)."""
        if not self.results.junit_files:
            return {}
        found = {
            need.id: missing(named_nodes(need), self.results.node_ids)
            for need in self.graph.needs.values()
            if need.type == "test"
        }
        return {need_id: names for need_id, names in found.items() if names}


def _at(need: Need, message: str, rule: str) -> Violation:
    return Violation(need.file, need.line, need.id, message, rule)


@cache
def _pattern(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def check_unique_ids(data: CheckInput) -> Iterator[Violation]:
    first: dict[str, IdOccurrence] = {}
    for occ in data.occurrences:
        if occ.id in first:
            where = first[occ.id]
            yield Violation(
                occ.file,
                occ.line,
                occ.id,
                f"{occ.id} is defined twice: first at {where.file}:{where.line}",
                "trace.duplicate-id",
            )
        elif occ.id:
            first[occ.id] = occ


def check_id_patterns(data: CheckInput) -> Iterator[Violation]:
    for occ in data.occurrences:
        spec = NEED_TYPES.get(occ.type)
        if spec is None:
            continue
        if not occ.id:
            yield Violation(
                occ.file,
                occ.line,
                "(no id)",
                f"a {occ.type} needs an :id: (e.g. {spec.example_id})",
                "trace.id-pattern",
            )
        else:
            patterns = data.id_patterns.get(occ.type, (spec.id_pattern,))
            if not any(_pattern(regex).match(occ.id) for regex in patterns):
                # conf.py may have replaced the pattern the model's example id was written for.
                fits = any(_pattern(regex).match(spec.example_id) for regex in patterns)
                example = f" (e.g. {spec.example_id})" if fits else ""
                yield Violation(
                    occ.file,
                    occ.line,
                    occ.id,
                    f"id does not match the {occ.type} pattern {' or '.join(patterns)}{example}",
                    "trace.id-pattern",
                )


def check_field_values(data: CheckInput) -> Iterator[Violation]:
    for need in data.graph.needs.values():
        for spec in FIELDS.values():
            if need.type not in spec.applies_to:
                continue
            value = need.get(spec.name)
            if not value:
                if spec.required:
                    yield _at(
                        need,
                        f"{need.type} has no {spec.name}"
                        + (f" (one of {', '.join(spec.allowed)})" if spec.allowed else ""),
                        "trace.field-value",
                    )
            elif spec.allowed and value not in spec.allowed:
                yield _at(need, f"{spec.name} {value!r} is not one of {', '.join(spec.allowed)}", "trace.field-value")
            elif spec.is_date and not _valid_date(value, spec.month_allowed):
                form = "YYYY-MM-DD or YYYY-MM" if spec.month_allowed else "YYYY-MM-DD"
                yield _at(need, f"{spec.name} {value!r} is not a valid date ({form})", "trace.field-value")


def check_field_applies(data: CheckInput) -> Iterator[Violation]:
    for need in data.graph.needs.values():
        for name in sorted(need.fields.keys() & FIELDS.keys()):
            spec = FIELDS[name]
            if need.type not in spec.applies_to and need.fields[name]:
                yield _at(
                    need,
                    f"field {name} does not apply to a {need.type} (only {', '.join(spec.applies_to)})",
                    "trace.field-value",
                )


def check_status_values(data: CheckInput) -> Iterator[Violation]:
    for need in data.graph.needs.values():
        status = need.get("status")
        if status and status not in STATUSES:
            yield _at(need, f"status {status!r} is not one of {', '.join(STATUSES)}", "trace.field-value")


# A milestone's list fields: (field, the pattern of one entry, whether it has a month and a date to check, what an
# entry must look like).
MILESTONE_ENTRIES: tuple[tuple[str, re.Pattern[str], bool, str], ...] = (
    (
        "forecast",
        FORECAST_ENTRY,
        True,
        "YYYY-MM=YYYY-MM-DD (the month the forecast was made = the date it forecast), optionally followed by ! "
        "(completed) and @CODE (listed under that code)",
    ),
    ("rebaselined", BASELINE_ENTRY, True, "YYYY-MM=YYYY-MM-DD (the planning snapshot's month = its baseline date)"),
    ("renamed", RENAMED_ENTRY, False, "CODE=high, CODE=medium or CODE=low"),
)


def check_forecast_entries(data: CheckInput) -> Iterator[Violation]:
    """A milestone's `forecast`, `rebaselined` and `renamed` entries, each in its stated form."""
    for need in data.graph.needs.values():
        if need.type != "milestone":
            continue
        for name, pattern, dated, form in MILESTONE_ENTRIES:
            for entry in need.get(name).split():
                match = pattern.match(entry)
                valid = match is not None and (
                    not dated or (_valid_date(match["made"], True) and _valid_date(match["due"], False))
                )
                if not valid:
                    yield _at(need, f"{name} entry {entry!r} is not {form}", "trace.field-value")


def _valid_date(value: str, month_allowed: bool) -> bool:
    try:
        if ISO_DATE.match(value):
            dt.date.fromisoformat(value)
            return True
        if month_allowed and ISO_MONTH.match(value):
            dt.date.fromisoformat(value + "-01")
            return True
    except ValueError:
        return False
    return False


def check_links(data: CheckInput) -> Iterator[Violation]:
    needs = data.graph.needs
    for need in needs.values():
        for link, targets in need.links.items():
            spec = LINK_TYPES[link]
            if need.type not in spec.sources:
                yield _at(
                    need,
                    f"a {need.type} cannot have a '{link}' link (only {', '.join(spec.sources)})",
                    "trace.link-type",
                )
                continue
            for target in targets:
                found = needs.get(target)
                if found is None:
                    yield _at(need, f"'{link}' points to {target}, which does not exist", "trace.dangling-link")
                elif found.type not in spec.targets:
                    yield _at(
                        need,
                        f"'{link}' points to {target}, a {found.type}; it must point to a {' or '.join(spec.targets)}",
                        "trace.link-type",
                    )


def check_single_parent(data: CheckInput) -> Iterator[Violation]:
    for link, spec in LINK_TYPES.items():
        for need in data.graph.needs.values():
            if need.type in spec.exactly_one_for and len(need.targets(link)) != 1:
                count = len(need.targets(link))
                yield _at(need, f"a {need.type} must '{link}' exactly one parent, it has {count}", "trace.parent-count")


def check_cycles(data: CheckInput) -> Iterator[Violation]:
    """Each set of needs that `acyclic` links tie into a cycle, once, at its smallest id: one cycle through that id is
    spelled out, any other needs caught in the same knot are named after it."""
    needs = data.graph.needs
    for link, spec in LINK_TYPES.items():
        if not spec.acyclic:
            continue
        for members in data.graph.cycles(link):
            cycle = _cycle_through(needs, members, link)
            path = " -> ".join([*cycle, cycle[0]])
            on_path = set(cycle)
            others = [m for m in members if m not in on_path]
            also = f"; also in it: {', '.join(others)}" if others else ""
            yield _at(needs[cycle[0]], f"'{link}' links form a cycle: {path}{also}", "trace.cycle")


def _cycle_through(needs: Mapping[str, Need], members: list[str], link: str) -> list[str]:
    """A shortest cycle along `link` from the first of `members` (a strongly connected set, in order) back to it,
    without the closing repeat; ties go to the target listed first (breadth-first, so no recursion)."""
    start = members[0]
    inside = set(members)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        for target in needs[current].targets(link):
            if target == start:
                path = [current]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return path[::-1]
            if target in inside and target not in came_from:
                came_from[target] = current
                queue.append(target)
    return [start]  # not reached: every member of a strongly connected set leads back to the start


def check_p1a_traced(data: CheckInput) -> Iterator[Violation]:
    for need in data.graph.needs.values():
        if need.type not in ("req", "subreq") or need.priority != "1a" or not need.is_active:
            continue
        if data.status.status(need).trace is Trace.UNTRACED:
            yield _at(need, _untraced_reason(data.graph, need), "trace.untraced")


def _untraced_reason(graph: NeedGraph, need: Need) -> str:
    children = [c for c in graph.children(need.id) if c.is_active]
    p1a_children = [c for c in children if c.priority == "1a"]
    if p1a_children:
        return (
            f"{need.id} (priority 1a) has no verifying test and not all its P1a children are traced "
            f"({', '.join(c.id for c in p1a_children)})"
        )
    if children:
        return f"{need.id} (priority 1a) has no verifying test and its active children are all lower priority"
    return f"{need.id} (priority 1a) has no verifying test and no P1a children"


def check_p1a_verified(data: CheckInput) -> Iterator[Violation]:
    """Strict mode only: a P1a item must be verified, and a failing test on it is called out by name."""
    if not data.strict:
        return
    for need in data.graph.needs.values():
        if need.type not in ("req", "subreq") or need.priority != "1a" or not need.is_active:
            continue
        state = data.status.status(need)
        if state.trace is Trace.UNTRACED or state.verification is Verification.VERIFIED:
            continue
        failing = [
            t.id for t in data.graph.tests(need.id) if (r := data.latest.get(t.id)) is not None and r.outcome in BROKEN
        ]
        if failing:
            yield _at(need, f"{need.id} (priority 1a) has failing tests: {', '.join(failing)}", "trace.failing")
        else:
            yield _at(need, f"{need.id} (priority 1a) is not verified ({state.verification})", "trace.unverified")


def check_result_ids(data: CheckInput) -> Iterator[Violation]:
    """A results file that names a test case the site does not define is reported where the file names it."""
    needs = data.graph.needs
    for record in data.results.records:
        found = needs.get(record.test_id)
        if found is None or found.type != "test":
            what = "does not exist" if found is None else f"is a {found.type}, not a test"
            yield Violation(
                record.file,
                record.line,
                record.test_id,
                f"results name test case {record.test_id}, which {what}",
                "trace.results-unknown-id",
            )


def check_pytest_nodes(data: CheckInput) -> Iterator[Violation]:
    """Strict mode only (otherwise the test case's page notes it): named pytest nodes must have run."""
    if not data.strict:
        return
    for test_id, names in data.missing_pytest_nodes.items():
        need = data.graph.needs[test_id]
        yield _at(
            need,
            f"pytest node{'s' if len(names) > 1 else ''} {', '.join(names)} ran in none of the "
            f"loaded JUnit files ({', '.join(data.results.junit_files)})",
            "trace.pytest-missing",
        )


def check_results_files(data: CheckInput) -> Iterator[Violation]:
    yield from data.results.problems


Rule = Callable[[CheckInput], Iterable[Violation]]

RULES: tuple[Rule, ...] = (
    check_unique_ids,
    check_id_patterns,
    check_field_values,
    check_field_applies,
    check_status_values,
    check_forecast_entries,
    check_links,
    check_single_parent,
    check_cycles,
    check_p1a_traced,
    check_p1a_verified,
    check_result_ids,
    check_pytest_nodes,
    check_results_files,
)


def run_rules(data: CheckInput, extra: Iterable[Rule] = ()) -> list[Violation]:
    """All violations of all rules, sorted by file, line and id."""
    found: set[Violation] = set()
    for rule in (*RULES, *extra):
        found.update(rule(data))
    return sorted(found, key=lambda v: (v.file, v.line, v.need_id, v.rule, v.message))
