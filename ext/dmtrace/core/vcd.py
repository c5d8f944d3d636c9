"""The verification control document's export (LDM-692's coverage table as CSV), read as a record, and laid out
against the site: the needs each row names, the rows the site has that the export lacks, where the priorities
differ, and the execution records the export does not carry (it has only each test case's last date and status)."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import Need, Violation, natural_key
from dmtrace.core.outcomes import TestResult
from dmtrace.core.results import ResultRecord

# The export's columns, in the order the page shows them; other columns of the file are not shown.
VCD_COLUMNS = (
    "requirement",
    "req_priority",
    "verification_element",
    "ve_priority",
    "test_case",
    "test_spec",
    "last_run",
    "last_status",
)
REQUIREMENT, REQ_PRIORITY, ELEMENT, VE_PRIORITY, TEST_CASE, TEST_SPEC, LAST_RUN, LAST_STATUS = range(8)
RULE = "trace.vcd"


@dataclass(frozen=True)
class VcdRow:
    """One row of the export: its line in the file and the values of the eight columns exactly as written."""

    line: int
    values: tuple[str, ...]


@dataclass
class VcdExport:
    """The rows of one export, in the file's order, and what could not be read (located)."""

    file: str
    rows: list[VcdRow] = field(default_factory=list)
    problems: list[Violation] = field(default_factory=list)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Violation(self.file, line, "", message, RULE))


def read_vcd(path: Path, label: str) -> VcdExport:
    """Every row of the export at `path` (`label` names it in problems); nothing is trimmed or converted."""
    export = VcdExport(label)
    line = 1
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                export.problem(1, "empty file: no header line")
                return export
            missing = [column for column in VCD_COLUMNS if column not in header]
            if missing:
                export.problem(1, f"missing column(s): {', '.join(missing)}")
                return export
            positions = [header.index(column) for column in VCD_COLUMNS]
            for record in reader:
                line = reader.line_num
                if not record:
                    continue  # a blank line holds no row
                if len(record) != len(header):
                    export.problem(line, f"{len(record)} field(s) where the header has {len(header)}")
                export.rows.append(VcdRow(line, tuple(record[i] if i < len(record) else "" for i in positions)))
    except UnicodeDecodeError as err:
        export.problem(line, f"not UTF-8 text ({err.reason}); rows from here on are not shown")
    except csv.Error as err:
        export.problem(line, f"malformed CSV ({err}); rows from here on are not shown")
    except OSError as err:
        export.problem(1, f"cannot read: {err.strerror or err}")
    return export


@dataclass(frozen=True)
class LayoutRow:
    """A row of the VCD layout: the export's (its line) or one the site has that the export lacks (line 0), the
    eight values shown, and the needs it names where the site has them."""

    values: tuple[str, ...]
    line: int
    requirement: str | None
    element: str | None
    test: str | None

    @property
    def in_export(self) -> bool:
        return self.line > 0

    @property
    def subject(self) -> str | None:
        """The need whose evidence and sign-off the row shows: its verification element, else its requirement."""
        return self.element or self.requirement


def element_keys(graph: NeedGraph) -> dict[str, str]:
    """The VCD's name of each verification element (its Jira key) -> the site's sub-requirement id."""
    return {need.get("jira"): need.id for need in graph.needs.values() if need.type == "subreq" and need.get("jira")}


def _need(graph: NeedGraph, need_id: str, *types: str) -> str | None:
    need = graph.needs.get(need_id)
    return need_id if need is not None and need.type in types else None


def _sorted(needs: list[Need]) -> list[Need]:
    return sorted(needs, key=lambda n: natural_key(n.id))


def site_triples(graph: NeedGraph) -> Iterator[tuple[Need, Need | None, Need | None]]:
    """(requirement, verification element, test case) as the site links them, requirements in id order; a
    requirement or element without a test case once, with None."""
    for req in _sorted([n for n in graph.needs.values() if n.type == "req"]):
        elements = _sorted([c for c in graph.children(req.id) if c.type == "subreq"])
        own: list[Need | None] = [*_sorted(graph.tests(req.id))]
        if own or not elements:
            for test in own or [None]:
                yield req, None, test
        for element in elements:
            tests: list[Need | None] = [*_sorted(graph.tests(element.id))]
            for test in tests or [None]:
                yield req, element, test


def _site_values(
    req: Need, element: Need | None, test: Need | None, latest: Mapping[str, TestResult]
) -> tuple[str, ...]:
    result = latest.get(test.id) if test else None
    status = (result.provenance.word or result.outcome.value) if result else "not run" if test else ""
    return (
        req.id,
        req.priority,
        (element.get("jira") or element.id) if element else "",
        element.priority if element else "",
        test.id if test else "",
        test.get("spec") if test else "",
        result.when if result else "",
        status,
    )


def layout(graph: NeedGraph, export: VcdExport, latest: Mapping[str, TestResult]) -> list[LayoutRow]:
    """The export's rows in its order, then the (requirement, element, test case) rows of the site it lacks."""
    keys = element_keys(graph)
    rows: list[LayoutRow] = []
    shown: set[tuple[str, str, str]] = set()
    for row in export.rows:
        values = row.values
        element_id = keys.get(values[ELEMENT]) or _need(graph, values[ELEMENT], "subreq")
        rows.append(
            LayoutRow(
                values,
                row.line,
                _need(graph, values[REQUIREMENT], "req"),
                element_id,
                _need(graph, values[TEST_CASE], "test"),
            )
        )
        shown.add((values[REQUIREMENT], element_id or values[ELEMENT], values[TEST_CASE]))
    for req, element, test in site_triples(graph):
        if (req.id, element.id if element else "", test.id if test else "") not in shown:
            values = _site_values(req, element, test, latest)
            rows.append(LayoutRow(values, 0, req.id, element.id if element else None, test.id if test else None))
    return rows


def priority_differences(graph: NeedGraph, row: LayoutRow) -> list[tuple[str, str]]:
    """("requirement" or "element", the site's priority) where the export's differs: LSE-61's for a requirement,
    the tracker's (or the inherited one) for an element."""
    if not row.in_export:
        return []
    found = []
    for label, need_id, written in (
        ("requirement", row.requirement, row.values[REQ_PRIORITY]),
        ("element", row.element, row.values[VE_PRIORITY]),
    ):
        if need_id is not None and graph.needs[need_id].priority != written:
            found.append((label, graph.needs[need_id].priority or "none"))
    return found


def other_records(history: Mapping[str, list[ResultRecord]], row: LayoutRow) -> list[ResultRecord]:
    """The records of the row's test case beyond its Last Run and Last Status: one that names an execution, test
    plan or cycle (the campaign's), or whose date or status the row does not show; oldest first."""
    if row.test is None:
        return []
    shown = (row.values[LAST_RUN], row.values[LAST_STATUS])
    return [
        record
        for record in history.get(row.test, [])
        if record.provenance.execution
        or record.provenance.plan
        or record.provenance.cycle
        or (record.when, record.provenance.word or record.outcome.value) != shown
    ]


def provenance_text(record: ResultRecord) -> str:
    """Where a record comes from, as the VCD's Last Run cell names it: execution, plan, cycle, report and source,
    each once (a part another part already contains is left out); the results file when it names nothing."""
    provenance = record.provenance
    parts = [provenance.execution, provenance.plan, provenance.cycle, provenance.report, provenance.source]
    present = [part for part in dict.fromkeys(parts) if part]
    kept = [part for part in present if not any(part in other for other in present if other != part)]
    return " · ".join(kept) or record.file
