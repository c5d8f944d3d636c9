"""Per-priority counts of the DM catalogue's requirements by sign-off and by evidence, and the records known on a
date: pure functions shared by `make report`, the views and `make diff`, so that every place counts alike.

What is counted: requirements (`req`, not their verification elements) in the truth's scope (the DM catalogue,
`trace_signoff_scope`: every id the truth holds evidence for). A requirement the catalogue descopes counts as
Descoped by evidence and by sign-off alike, whatever its record (`descoped_apart` names those whose roll-up says
otherwise); the active ones count by their evidence and their sign-off roll-up.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from dmtrace.core.evidence import EVIDENCE_ORDER, Evidence
from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import PRIORITIES, Need
from dmtrace.core.results import ResultRecord, ResultSet
from dmtrace.core.signoff import SIGNOFF_ORDER, SignOff, SignOffRecords
from dmtrace.core.truth import VerificationTruth, reconcile

TOTAL = "Total"
NO_PRIORITY = "none"  # the row of requirements without a priority (shown only when there are some)
SIGNOFF_COLUMNS: tuple[str, ...] = tuple(s.value for s in SIGNOFF_ORDER)
EVIDENCE_COLUMNS: tuple[str, ...] = tuple(e.value for e in EVIDENCE_ORDER)


@dataclass(frozen=True)
class Summary:
    """How many requirements fall in each column, per priority: rows 1a, 1b, 2, 3 (and `none` if any), then Total."""

    columns: tuple[str, ...]
    counts: dict[str, Counter[str]]

    def labels(self) -> list[str]:
        """The priority rows, in order: every priority, and `none` when a requirement has no (known) priority."""
        return [*PRIORITIES, *([NO_PRIORITY] if self.counts.get(NO_PRIORITY) else [])]

    def row(self, label: str) -> tuple[int, ...]:
        """The counts of one row (a priority, or TOTAL), one per column, then the row's total."""
        counter = sum(self.counts.values(), Counter()) if label == TOTAL else self.counts.get(label, Counter())
        cells = tuple(counter[column] for column in self.columns)
        return (*cells, sum(cells))

    def rows(self) -> list[tuple[str, tuple[int, ...]]]:
        return [(label, self.row(label)) for label in [*self.labels(), TOTAL]]

    def cell(self, label: str, column: str) -> int:
        """One count: `column` may be TOTAL (the row's total)."""
        return self.row(label)[len(self.columns) if column == TOTAL else self.columns.index(column)]


def priority_label(need: Need) -> str:
    return need.priority if need.priority in PRIORITIES else NO_PRIORITY


def count(needs: Iterable[Need], value: Callable[[Need], str], columns: tuple[str, ...]) -> Summary:
    """Counts `needs` per priority under the column `value` gives each (one of `columns`)."""
    counts: dict[str, Counter[str]] = {}
    for need in needs:
        counts.setdefault(priority_label(need), Counter())[value(need)] += 1
    return Summary(columns, counts)


def catalogue_requirements(graph: NeedGraph, truth: VerificationTruth) -> list[Need]:
    """The requirements of the DM catalogue: `req` needs in the truth's scope (it holds evidence for each)."""
    return [graph.needs[i] for i in sorted(truth.evidence) if i in graph.needs and graph.needs[i].type == "req"]


def rolled_up(truth: VerificationTruth, need: Need) -> str:
    """A requirement's sign-off roll-up as recorded; Not Started when the truth has none for it."""
    state = truth.signoff.get(need.id)
    return state.status if state else SignOff.NOT_STARTED.value


def signoff_of(truth: VerificationTruth, need: Need) -> str:
    """A requirement's sign-off as counted: Descoped when the catalogue descopes it, else its roll-up."""
    return SignOff.DESCOPED.value if not need.is_active else rolled_up(truth, need)


def evidence_of(truth: VerificationTruth, need: Need) -> str:
    return truth.evidence.get(need.id, Evidence.NOT_COVERED).value


def signoff_summary(graph: NeedGraph, truth: VerificationTruth) -> Summary:
    """The DM requirements per priority and sign-off (the snapshot the truth reads), DMTR-412's table."""
    return count(catalogue_requirements(graph, truth), lambda need: signoff_of(truth, need), SIGNOFF_COLUMNS)


def evidence_summary(graph: NeedGraph, truth: VerificationTruth) -> Summary:
    """The DM requirements per priority and evidence (the last runs the truth reads)."""
    return count(catalogue_requirements(graph, truth), lambda need: evidence_of(truth, need), EVIDENCE_COLUMNS)


def descoped_apart(graph: NeedGraph, truth: VerificationTruth) -> list[tuple[Need, str]]:
    """Requirements the catalogue and the sign-off roll-up disagree on being descoped, with their roll-up: e.g. a
    descoped requirement without any verification element, which the roll-up alone would count as Not Started."""
    found = []
    for need in catalogue_requirements(graph, truth):
        signoff = rolled_up(truth, need)
        if (signoff == SignOff.DESCOPED.value) == need.is_active:
            found.append((need, signoff))
    return found


def record_date(record: ResultRecord) -> dt.date | None:
    """The day a record is dated, as written (`2024-10-29T23:00-05:00` is the 29th); None when undated."""
    try:
        return dt.date.fromisoformat(record.when[:10]) if record.when else None
    except ValueError:
        instant = record.instant()
        return instant.date() if instant else None


def dated_until(results: ResultSet, as_of: dt.date) -> ResultSet:
    """The records dated on or before `as_of`; an undated record is not dated on or before any day."""
    return replace(results, records=[r for r in results.records if (day := record_date(r)) and day <= as_of])


def undated(results: ResultSet) -> list[ResultRecord]:
    return [r for r in results.records if record_date(r) is None]


def truth_as_of(
    graph: NeedGraph, results: ResultSet, records: SignOffRecords, scope: str, as_of: dt.date | None
) -> VerificationTruth:
    """The verification truth as it stood on `as_of`: the sign-off snapshot in force on that day and the evidence
    of the records known today dated on or before it. Without `as_of`: every record and the latest snapshot."""
    known = results if as_of is None else dated_until(results, as_of)
    return reconcile(graph, known.latest(), known.history(), records, scope, as_of)
