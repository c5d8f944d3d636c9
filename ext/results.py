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
from defusedxml import DefusedXmlException

from .model import Violation
from .outcomes import Outcome, TestResult, parse_outcome

MAX_RESULTS_BYTES = 64 * 1024 * 1024
TEST_CASE_PROPERTY = "test_case"
NODE_ID_PROPERTY = "nodeid"
CSV_COLUMNS = ("test_case", "last_run", "status", "source")
# When one run holds several records for a test case, the worst decides.
SEVERITY: tuple[Outcome, ...] = (Outcome.ERROR, Outcome.FAILED, Outcome.SKIPPED, Outcome.NOT_RUN,
                                 Outcome.PASSED_WITH_DEVIATION, Outcome.PASSED)


@dataclass(frozen=True)
class ResultRecord:
    """One line of evidence: a test case's outcome in one run, and where the file says it."""

    test_id: str
    outcome: Outcome
    when: str
    file: str
    line: int
    node_id: str = ""


@dataclass
class ResultSet:
    """Everything read from the results files: records, problems, and the latest result per test case."""

    records: list[ResultRecord] = field(default_factory=list)
    problems: list[Violation] = field(default_factory=list)
    node_ids: set[str] = field(default_factory=set)

    def latest(self) -> dict[str, TestResult]:
        by_run: dict[tuple[str, str, str], list[ResultRecord]] = {}
        for record in self.records:
            by_run.setdefault((record.test_id, record.file, record.when), []).append(record)
        latest: dict[str, TestResult] = {}
        for (test_id, file, when), records in by_run.items():
            outcome = min((r.outcome for r in records), key=SEVERITY.index)
            previous = latest.get(test_id)
            if previous is None or when >= previous.when:
                detail = ", ".join(sorted({r.node_id for r in records if r.node_id}))
                latest[test_id] = TestResult(test_id, outcome, when, file, detail)
        return latest


def _problem(file: str, line: int, subject: str, message: str, rule: str = "trace.results") -> Violation:
    return Violation(file, line, subject, message, rule)


class _JUnitHandler(ContentHandler):
    """Streams a JUnit XML file: one record per test-case property of every <testcase>."""

    def __init__(self, file: str, results: ResultSet, fallback_when: str) -> None:
        super().__init__()
        self.file = file
        self.results = results
        self.when = fallback_when
        self.locator: xml.sax.xmlreader.Locator | None = None
        self.case: dict[str, object] | None = None
        self.seen_testcase = False

    def setDocumentLocator(self, locator: xml.sax.xmlreader.Locator) -> None:  # noqa: N802 (SAX API)
        self.locator = locator

    def _line(self) -> int:
        return self.locator.getLineNumber() if self.locator else 0

    def startElement(self, name: str, attrs: xml.sax.xmlreader.AttributesImpl) -> None:  # noqa: N802
        if name == "testsuite" and attrs.get("timestamp"):
            self.when = _normalise_timestamp(attrs["timestamp"]) or self.when
        elif name == "testcase":
            self.seen_testcase = True
            node = f"{attrs.get('classname', '')}::{attrs.get('name', '')}"
            self.case = {"line": self._line(), "outcome": Outcome.PASSED, "ids": [], "node": node}
        elif self.case is not None:
            if name == "failure":
                self.case["outcome"] = Outcome.FAILED
            elif name == "error":
                self.case["outcome"] = Outcome.ERROR
            elif name == "skipped" and self.case["outcome"] is Outcome.PASSED:
                self.case["outcome"] = Outcome.SKIPPED
            elif name == "property" and attrs.get("name") == TEST_CASE_PROPERTY:
                self.case["ids"].append(attrs.get("value", "").strip())  # type: ignore[union-attr]
            elif name == "property" and attrs.get("name") == NODE_ID_PROPERTY:
                self.case["node"] = attrs.get("value", "")

    def endElement(self, name: str) -> None:  # noqa: N802
        if name != "testcase" or self.case is None:
            return
        case, self.case = self.case, None
        node = str(case["node"])
        self.results.node_ids.add(node)
        for test_id in case["ids"]:  # type: ignore[union-attr]
            self.results.records.append(ResultRecord(test_id, case["outcome"], self.when,  # type: ignore[arg-type]
                                                     self.file, int(case["line"]), node))  # type: ignore[call-overload]


def _normalise_timestamp(value: str) -> str:
    """ISO timestamps to UTC 'YYYY-MM-DD HH:MM'; '' when unreadable."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return ""
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC)
    return parsed.strftime("%Y-%m-%d %H:%M")


def _file_time(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).strftime("%Y-%m-%d %H:%M")


def read_junit(path: Path, label: str, results: ResultSet, max_bytes: int = MAX_RESULTS_BYTES) -> None:
    """Adds one JUnit XML file's records to `results`; any problem becomes one located message."""
    size = path.stat().st_size
    if size > max_bytes:
        results.problems.append(_problem(label, 1, "results",
                                         f"file is {size} bytes, over the {max_bytes}-byte limit; not read"))
        return
    handler = _JUnitHandler(label, results, _file_time(path))
    before = len(results.records)
    try:
        defusedxml.sax.parse(str(path), handler, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except xml.sax.SAXParseException as err:
        del results.records[before:]
        results.problems.append(_problem(label, err.getLineNumber(), "results",
                                         f"malformed XML ({err.getMessage()}); no results taken from this file"))
        return
    except DefusedXmlException as err:
        del results.records[before:]
        results.problems.append(_problem(label, handler._line() or 1, "results",
                                         f"refused: the file declares a DTD, entity or external reference "
                                         f"({type(err).__name__}); no results taken from this file"))
        return
    if not handler.seen_testcase:
        results.problems.append(_problem(label, 1, "results", "no <testcase> elements: is this JUnit XML?"))


def read_results_csv(path: Path, label: str, results: ResultSet) -> None:
    """Adds the campaign results CSV (columns test_case,last_run,status,source) to `results`."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            results.problems.append(_problem(label, 1, "results", f"missing column(s): {', '.join(missing)}"))
            return
        for row in reader:
            line = reader.line_num
            outcome = parse_outcome(row["status"] or "")
            if outcome is None:
                results.problems.append(_problem(label, line, row["test_case"] or "results",
                                                 f"column status: unknown result {row['status']!r}"))
                continue
            when = row["last_run"] or ""
            if when and _normalise_timestamp(when) == "":
                results.problems.append(_problem(label, line, row["test_case"] or "results",
                                                 f"column last_run: {when!r} is not an ISO date"))
                continue
            results.records.append(ResultRecord(row["test_case"].strip(), outcome, when, label, line))


def load_results(paths: Iterable[Path], root: Path) -> ResultSet:
    """Reads every results file; a missing or unreadable file is a problem, not a crash."""
    results = ResultSet()
    for path in paths:
        label = _label(path, root)
        if not path.is_file():
            results.problems.append(_problem(label, 1, "results", "results file not found"))
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
