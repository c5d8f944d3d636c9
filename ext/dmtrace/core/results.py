"""Results import: JUnit XML from pytest (parsed with defusedxml) and the campaign results CSV, as test outcomes."""

from __future__ import annotations

import csv
import datetime as dt
import xml.sax
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.handler import ContentHandler

import defusedxml.sax
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from dmtrace.core.instants import display_instant, parse_when
from dmtrace.core.model import Violation
from dmtrace.core.outcomes import Outcome, Provenance, TestResult, parse_outcome

MAX_RESULTS_BYTES = 64 * 1024 * 1024
UNTAKEN = "no results taken from this file"
TEST_CASE_PROPERTY = "test_case"
NODE_ID_PROPERTY = "nodeid"
JUNIT_ROOTS = ("testsuites", "testsuite")
CSV_COLUMNS = ("test_case", "last_run", "status", "source")
# Optional columns: the record's execution, test plan, test cycle and report, where the data has them.
PROVENANCE_COLUMNS = ("execution", "plan", "cycle", "report")
# When one run holds several records for a test case, the worst decides.
SEVERITY: tuple[Outcome, ...] = (
    Outcome.ERROR,
    Outcome.FAILED,
    Outcome.SKIPPED,
    Outcome.NOT_RUN,
    Outcome.PASSED_WITH_DEVIATION,
    Outcome.INITIAL_PASS,
    Outcome.PASSED,
)


@dataclass(frozen=True)
class ResultRecord:
    """One line of evidence: a test case's outcome in one run, and where the file says it."""

    test_id: str
    outcome: Outcome
    when: str
    file: str
    line: int
    node_id: str = ""
    # The run's time as one UTC instant; None for an undated record (older than any dated one).
    at: dt.datetime | None = None
    provenance: Provenance = field(default_factory=Provenance)

    def instant(self) -> dt.datetime | None:
        """When the run was: `at`, or else read from `when` (records built without `at`)."""
        if self.at is not None or not self.when:
            return self.at
        return parse_when(self.when.replace(" ", "T", 1))[0]


def _order(instant: dt.datetime | None) -> tuple[bool, dt.datetime]:
    """Sort key of a run's time: undated before every date, then by UTC instant."""
    return (instant is not None, instant or dt.datetime.min.replace(tzinfo=dt.UTC))


@dataclass
class ResultSet:
    """Everything read from the results files: records, problems, and the latest result per test case."""

    records: list[ResultRecord] = field(default_factory=list)
    problems: list[Violation] = field(default_factory=list)
    node_ids: set[str] = field(default_factory=set)
    junit_files: list[str] = field(default_factory=list)

    def latest(self) -> dict[str, TestResult]:
        """Per test case, the run with the latest time (compared as UTC instants, never as text); on a tie, a
        control-document record (no test plan) over a campaign execution, then the file read last. Within one run
        (same file, time and kind) the worst outcome decides. "Last run decides" as the VCD defines it: an undated
        campaign execution never overrides the VCD's last run; a later dated record (a pytest run) does."""
        by_run: dict[tuple[str, str, dt.datetime | None, bool], list[ResultRecord]] = {}
        for record in self.records:
            key = (record.test_id, record.file, record.instant(), not record.provenance.plan)
            by_run.setdefault(key, []).append(record)
        latest: dict[str, TestResult] = {}
        latest_at: dict[str, tuple[tuple[bool, dt.datetime], bool]] = {}
        for (test_id, file, instant, not_campaign), records in by_run.items():
            outcome = min((r.outcome for r in records), key=SEVERITY.index)
            order = (_order(instant), not_campaign)
            if test_id not in latest_at or order >= latest_at[test_id]:
                detail = ", ".join(sorted({r.node_id for r in records if r.node_id}))
                deciding = next(r for r in records if r.outcome == outcome)
                latest[test_id] = TestResult(test_id, outcome, records[0].when, file, detail, deciding.provenance)
                latest_at[test_id] = order
        return latest

    def history(self) -> dict[str, list[ResultRecord]]:
        """Per test case every record known, oldest first (undated records first, as they decide nothing over a
        dated one), in the order the files were read on a tie."""
        per_test: dict[str, list[ResultRecord]] = {}
        for record in self.records:
            per_test.setdefault(record.test_id, []).append(record)
        return {test_id: sorted(records, key=lambda r: _order(r.instant())) for test_id, records in per_test.items()}


def _problem(file: str, line: int, subject: str, message: str, rule: str = "trace.results") -> Violation:
    return Violation(file, line, subject, message, rule)


class _NotJUnitError(Exception):
    """Stops the parse at the root element of an XML file that is not JUnit."""

    def __init__(self, root: str, line: int) -> None:
        super().__init__(root)
        self.root = root
        self.line = line


@dataclass
class _Case:
    """The <testcase> being read: where it starts, its outcome so far, its test-case ids and pytest node id."""

    line: int
    node: str
    outcome: Outcome = Outcome.PASSED
    ids: list[str] = field(default_factory=list)


# A run's time as the pages show it, and as the UTC instant it is compared by.
_Dated = tuple[str, dt.datetime]


class _JUnitHandler(ContentHandler):
    """Streams a JUnit XML file: one record per test-case property of every <testcase>."""

    def __init__(self, file: str, fallback: _Dated) -> None:
        super().__init__()
        self.file = file
        # The time of each open <testsuite>, innermost last (its timestamp, else its parent's, else the file's);
        # None for a suite whose timestamp is refused: its test cases decide nothing.
        self.fallback = fallback
        self.suites: list[_Dated | None] = []
        self.locator: xml.sax.xmlreader.Locator | None = None
        self.case: _Case | None = None
        self.seen_root = False
        # Kept apart from the ResultSet until the whole file parsed: a file that fails half-way adds nothing.
        self.records: list[ResultRecord] = []
        self.node_ids: set[str] = set()
        self.problems: list[Violation] = []

    def setDocumentLocator(self, locator: xml.sax.xmlreader.Locator) -> None:  # noqa: N802 (SAX API)
        self.locator = locator

    def line(self) -> int:
        return (self.locator.getLineNumber() or 0) if self.locator else 0

    def startElement(self, name: str, attrs: xml.sax.xmlreader.AttributesImpl) -> None:  # noqa: N802
        if not self.seen_root:
            self.seen_root = True
            if name not in JUNIT_ROOTS:
                raise _NotJUnitError(name, self.line())
        if name == "testsuite":
            self.suites.append(self._suite_time(attrs.get("timestamp", "")))
        elif name == "testcase":
            node = f"{attrs.get('classname', '')}::{attrs.get('name', '')}"
            self.case = _Case(self.line(), node)
        elif self.case is not None:
            if name == "failure":
                self.case.outcome = Outcome.FAILED
            elif name == "error":
                self.case.outcome = Outcome.ERROR
            elif name == "skipped" and self.case.outcome is Outcome.PASSED:
                self.case.outcome = Outcome.SKIPPED
            elif name == "property" and attrs.get("name") == TEST_CASE_PROPERTY:
                self.case.ids.append(attrs.get("value", "").strip())
            elif name == "property" and attrs.get("name") == NODE_ID_PROPERTY:
                self.case.node = attrs.get("value", "")

    def _suite_time(self, stamp: str) -> _Dated | None:
        parent = self.suites[-1] if self.suites else self.fallback
        if not stamp:
            return parent
        instant, refusal = parse_when(stamp)
        if instant is None:
            self.problems.append(
                _problem(
                    self.file,
                    self.line(),
                    "results",
                    f"testsuite timestamp: {refusal}; no results taken from this test suite",
                )
            )
            return None
        return display_instant(instant), instant

    def endElement(self, name: str) -> None:  # noqa: N802
        if name == "testsuite" and self.suites:
            self.suites.pop()
        if name != "testcase" or self.case is None:
            return
        case, self.case = self.case, None
        self.node_ids.add(case.node)
        time = self.suites[-1] if self.suites else self.fallback
        if time is None:
            return
        when, at = time
        for test_id in case.ids:
            self.records.append(ResultRecord(test_id, case.outcome, when, self.file, case.line, case.node, at))


def _file_time(path: Path) -> _Dated:
    """The file's modification time, for JUnit files without a timestamp; clamped to the years 0001 to 9999."""
    mtime = path.stat().st_mtime
    try:
        instant = dt.datetime.fromtimestamp(mtime, dt.UTC)
    except (OverflowError, OSError, ValueError):
        instant = (dt.datetime.max if mtime > 0 else dt.datetime.min).replace(tzinfo=dt.UTC)
    return display_instant(instant), instant


def _size_refusal(path: Path, max_bytes: int) -> str:
    size = path.stat().st_size
    return f"file is {size} bytes, over the {max_bytes}-byte limit; {UNTAKEN}" if size > max_bytes else ""


def _refusal(err: DefusedXmlException) -> str:
    """What a hardened-parser refusal means, in the words of the attack it stops."""
    if isinstance(err, EntitiesForbidden) and (err.sysid or err.pubid):
        return (
            f"refused: external entity '{err.name}' ({err.sysid or err.pubid}) is declared; "
            f"results files may not declare entities (XXE)"
        )
    if isinstance(err, EntitiesForbidden):
        return f"refused: entity '{err.name}' is declared; results files may not declare entities (entity expansion)"
    if isinstance(err, ExternalReferenceForbidden):
        return f"refused: external reference to {err.sysid}; results files may not load other resources"
    if isinstance(err, DTDForbidden):
        return f"refused: document type declaration <!DOCTYPE {err.name}>; results files may not have one"
    return f"refused by the hardened XML parser ({type(err).__name__})"


def read_junit(path: Path, label: str, results: ResultSet, max_bytes: int = MAX_RESULTS_BYTES) -> None:
    """Adds one JUnit XML file's records to `results`; any problem becomes one located message."""
    if refusal := _size_refusal(path, max_bytes):
        results.problems.append(_problem(label, 1, "results", refusal))
        return
    handler = _JUnitHandler(label, _file_time(path))
    try:
        # A DOCTYPE alone is harmless once every entity and external reference is refused; allowing it lets the
        # message name the entity (XXE or expansion) instead of only "has a DTD".
        defusedxml.sax.parse(str(path), handler, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except xml.sax.SAXParseException as err:
        results.problems.append(
            _problem(label, err.getLineNumber() or 0, "results", f"malformed XML ({err.getMessage()}); {UNTAKEN}")
        )
        return
    except DefusedXmlException as err:
        results.problems.append(_problem(label, handler.line() or 1, "results", f"{_refusal(err)}; {UNTAKEN}"))
        return
    except _NotJUnitError as err:
        results.problems.append(
            _problem(
                label,
                err.line,
                "results",
                f"root element <{err.root}> is not <testsuites> or <testsuite>: not JUnit XML; {UNTAKEN}",
            )
        )
        return
    results.problems.extend(handler.problems)
    results.records.extend(handler.records)
    results.node_ids.update(handler.node_ids)
    results.junit_files.append(label)


def read_results_csv(path: Path, label: str, results: ResultSet, max_bytes: int = MAX_RESULTS_BYTES) -> None:
    """Adds the campaign results CSV (columns test_case,last_run,status,source) to `results`."""
    if refusal := _size_refusal(path, max_bytes):
        results.problems.append(_problem(label, 1, "results", refusal))
        return
    # utf-8-sig: a header that starts with a byte order mark (as spreadsheets write it) still names test_case.
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            results.problems.append(_problem(label, 1, "results", f"missing column(s): {', '.join(missing)}"))
            return
        for row in reader:
            line = reader.line_num
            if not (row["test_case"] or "").strip():
                results.problems.append(_problem(label, line, "results", "column test_case is empty"))
                continue
            outcome = parse_outcome(row["status"] or "")
            if outcome is None:
                results.problems.append(
                    _problem(
                        label, line, row["test_case"] or "results", f"column status: unknown result {row['status']!r}"
                    )
                )
                continue
            # Shown as written; compared by its UTC instant. Empty: never run, older than any date.
            when = (row["last_run"] or "").strip()
            at, refusal = parse_when(when) if when else (None, "")
            if refusal:
                results.problems.append(
                    _problem(label, line, row["test_case"] or "results", f"column last_run: {refusal}")
                )
                continue
            provenance = Provenance(
                (row["source"] or "").strip(),
                " ".join((row["status"] or "").split()),
                *((row.get(column) or "").strip() for column in PROVENANCE_COLUMNS),
            )
            results.records.append(
                ResultRecord(row["test_case"].strip(), outcome, when, label, line, at=at, provenance=provenance)
            )


def load_results(paths: Iterable[Path], root: Path) -> ResultSet:
    """Reads every results file; a missing or unreadable file is a problem, not a crash."""
    results = ResultSet()
    for path in paths:
        label = _label(path, root)
        if not path.exists():
            results.problems.append(_problem(label, 1, "results", "results file not found"))
            continue
        if not path.is_file():
            # A FIFO or device would block or never end: only regular files are read.
            results.problems.append(_problem(label, 1, "results", f"not a regular file; {UNTAKEN}"))
            continue
        try:
            if path.suffix.lower() == ".csv":
                read_results_csv(path, label, results)
            else:
                read_junit(path, label, results)
        except (OSError, UnicodeDecodeError, csv.Error) as err:
            results.problems.append(_problem(label, 1, "results", f"cannot read: {err}"))
    return results


def _label(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
