"""One-time migration: turns the Rubin reference CSV files into the MyST need sources under needs/.

Run once; its output is committed and from then on the Markdown is the source of truth that authors edit.
Re-running it on the same input reproduces the same bytes (tests/test_import_rubin.py checks this). A malformed
row is reported as `FILE:ROW: column COL: problem` with exit status 1.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dmtrace.core.milestones import MONTH_NAMES
from dmtrace.core.model import NEED_TYPES, PRIORITIES
from dmtrace.core.vcd import VCD_COLUMNS

ROOT = Path(__file__).resolve().parent.parent

# The reference CSV files travel with the repository (provenance: data/rubin/PROVENANCE.txt); --data points elsewhere.
DEFAULT_DATA = ROOT / "data" / "rubin"
# Our own record, not the observatory's: which later planning codes are which milestone, with evidence and confidence.
DEFAULT_RENAMES = ROOT / "data" / "milestone_renames.csv"

REQUIREMENTS_CSV = "dms_requirements.csv"
ELEMENTS_CSV = "verification_elements.csv"
VCD_CSV = "vcd_lse61_2025-12-18.csv"
LDM639_CSV = "ldm639_test_cases.csv"
CAMPAIGN_CSV = "ldm503_19a_campaign_LVV-P117.csv"
MILESTONES_CSV = "milestones.csv"
HISTORY_CSV = "milestone_history.csv"
TEXT_CSV = "lse61_text.csv"
PARAMETERS_CSV = "lse61_parameters.csv"

VCD_SOURCE = "LDM-692 VCD 2025-12-18"
# The VCD export itself, kept as a record: copied byte for byte (CRLF line ends and all); the VCD layout reproduces it.
VCD_EXPORT = "results/vcd/LDM-692_2025-12-18.csv"
# The campaign file gives no execution dates (its report, DMTR-412, is dated 2025-09-11): its records stay undated.
CAMPAIGN_REPORT, CAMPAIGN_PLAN_KEY, CAMPAIGN_CYCLE = "DMTR-412", "LVV-P117", "LVV-R275"
VCD_REPORT = "LDM-692"
RESULT_WORDS = ("Passed", "Pass w/Deviation", "Failed", "Not Executed")
# The campaign's Zephyr words in the VCD's vocabulary. "Initial Pass" is a pass the test team has not yet
# confirmed: it counts as a pass with a reservation, and the original word is kept in the source column.
CAMPAIGN_WORDS = {
    "Pass": "Passed",
    "Pass w/ Deviation": "Pass w/Deviation",
    "Initial Pass": "Pass w/Deviation",
    "Fail": "Failed",
    "Not Executed": "Not Executed",
}
VE_STATUSES = ("Not Covered", "Covered", "In Verification", "Verified", "Monitoring", "Descoped")
PRIORITIES_2019 = (*PRIORITIES, "absent", "unset")
MONTHS = {name: number for number, name in enumerate(MONTH_NAMES, start=1)}
# Milestones whose definition names the priorities they need: shown on the site from the priority field,
# so the importer adds no per-requirement `milestone` link (the data has none).
NEEDED_BY_PRIORITY = {"LDM-503-19a": "1a", "LDM-503-19": "1a and 1b"}
CONFIDENCES = ("high", "medium", "low")
# Roll-up verification elements: no test case of their own, verified through their requirement's children.
ROLL_UPS = {"DMS-REQ-0155-V-01", "DMS-REQ-0156-V-01"}

REQ_ID = re.compile(r"^DMS-REQ-\d{4}$")
VE_ID = re.compile(r"^(?P<req>DMS-REQ-\d{4})-V-\d{2}$")
JIRA_VE = re.compile(r"^LVV-\d+$")
TEST_ID = re.compile(r"^LVV-T(?P<number>\d+)$")
EXECUTION_ID = re.compile(r"^LVV-E\d+$")
SECTION = re.compile(r"^\d+(\.\d+)+$")
LCR = re.compile(r"^(Added|Updated|Descoped):LCR-\d+$")
OSS_ID = re.compile(r"^(OSS|LSR)-REQ-\d{4}$")
MILESTONE_ID = re.compile(NEED_TYPES["milestone"].id_pattern)
PMCS_MONTH = re.compile(r"^(?P<month>[A-Z][a-z]+) (?P<year>\d{4})$")
LATEX_QUOTES = re.compile(r"``(.*?)''")
GENERATED_NOTE = (
    "Generated once by `scripts/import_rubin.py` from the Rubin reference data; "
    "this file is now the source of truth: edit it here."
)


class RowError(Exception):
    """One malformed cell, reported as FILE:ROW: column COL: problem (or a missing file, as FILE: problem)."""

    def __init__(self, file: str, row: int, column: str, problem: str) -> None:
        where = f"{file}:{row}" if row else file
        super().__init__(f"{where}: column {column}: {problem}" if column else f"{where}: {problem}")


@dataclass
class Table:
    """The rows of one CSV file, each with its line number, and the label used in messages."""

    label: str
    rows: list[tuple[int, dict[str, str]]]

    def error(self, row: int, column: str, problem: str) -> RowError:
        return RowError(self.label, row, column, problem)


def read_table(data: Path, name: str, columns: tuple[str, ...]) -> Table:
    path = data / name
    label = path.as_posix()
    if not path.is_file():
        raise RowError(label, 0, "", "file not found")
    rows: list[tuple[int, dict[str, str]]] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        try:
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise RowError(label, 1, missing[0], "missing from the header")
            for row in reader:
                rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}))
        except csv.Error as err:
            raise RowError(label, reader.line_num, "", f"malformed CSV: {err}") from None
        except UnicodeDecodeError as err:
            # Decoding runs ahead of the csv reader in blocks, so no row can be named.
            raise RowError(label, 0, "", f"not UTF-8 text ({err.reason})") from None
    return Table(label, rows)


def _check(table: Table, line: int, row: dict[str, str], column: str, ok: Callable[[str], bool], expected: str) -> str:
    value = row[column]
    if not ok(value):
        shown = repr(value) if value else "empty"
        raise table.error(line, column, f"{shown} is not {expected}")
    return value


def _is_date(value: str) -> bool:
    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _title(table: Table, line: int, column: str, value: str) -> str:
    """Titles from LaTeX sources keep ``quotes''; as typographic quotes they fit in a backtick fence."""
    title = LATEX_QUOTES.sub("\u201c\\1\u201d", value)
    if "`" in title:
        raise table.error(line, column, f"{value!r} holds a backtick, which a directive title cannot")
    return title


# ---- the records ---------------------------------------------------------------------------------------------


@dataclass
class Requirement:
    id: str
    title: str
    priority: str
    parent: str
    status: str
    section: str
    derived_dms: list[str]
    derived_upstream: list[str]
    lcrs: list[str]
    priority_2019: str
    deleted_in_2019: bool
    elements: list[Element] = field(default_factory=list)
    vcd_priority: str = ""
    specification: str = ""
    discussion: str = ""
    parameters: list[Parameter] = field(default_factory=list)

    @property
    def section_key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.section.split("."))


@dataclass
class Parameter:
    name: str
    value: str
    unit: str
    description: str
    confirmed: bool


@dataclass
class Element:
    key: str
    id: str
    requirement: str
    title: str
    priority: str
    priority_inherited: bool
    status: str
    status_2024: str
    vcd_priority: str = ""


@dataclass
class TestCase:
    id: str
    title: str = ""
    spec: str = ""
    ldm639_status: str = ""
    verifies: set[str] = field(default_factory=set)
    last_run: str = ""
    last_status: str = ""
    in_vcd: bool = False

    @property
    def number(self) -> int:
        return int(self.id.removeprefix("LVV-T"))


@dataclass
class CampaignRun:
    test_case: str
    title: str
    execution: str
    status: str
    word: str


@dataclass
class Milestone:
    id: str
    name: str
    due: str
    due_2024_02: str
    completed: str
    level: str
    wbs: str
    category: str
    predecessors: list[str]
    successors: list[str]
    jira: str
    jira_testplan: str
    test_spec: str
    actual_public_date: str
    note: str
    snapshot: str = ""  # YYYY-MM of the planning snapshot `due` comes from
    # (YYYY-MM, date, completed in that snapshot, the renamed code it is listed under or '')
    forecast: list[tuple[str, str, bool, str]] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # renamed code -> confidence


@dataclass
class Catalogue:
    requirements: dict[str, Requirement]
    elements: dict[str, Element]
    tests: dict[str, TestCase]
    campaign: list[CampaignRun]
    milestones: dict[str, Milestone]
    vcd_export: str = ""  # the VCD CSV's text, exactly as read (decoding UTF-8 keeps every byte)
    upstream: dict[str, str] = field(default_factory=dict)  # OSS-REQ / LSR-REQ id -> the title LSE-61 gives it


# ---- reading and validating ----------------------------------------------------------------------------------


def read_requirements(data: Path) -> dict[str, Requirement]:
    table = read_table(
        data,
        REQUIREMENTS_CSV,
        (
            "id",
            "title",
            "priority",
            "parent",
            "status",
            "section",
            "derived_from_dms",
            "derived_from_upstream",
            "lcrs",
            "priority_lse61_2019",
            "deleted_in_2019",
        ),
    )
    found: dict[str, Requirement] = {}
    for line, row in table.rows:
        req_id = _check(table, line, row, "id", REQ_ID.match, "a DMS-REQ-NNNN id")
        if req_id in found:
            raise table.error(line, "id", f"{req_id} appears twice")
        title = _title(table, line, "title", _check(table, line, row, "title", bool, "a title"))
        for column in ("derived_from_dms", "parent"):
            for ref in _list(row[column]):
                if not REQ_ID.match(ref):
                    raise table.error(line, column, f"{ref!r} is not a DMS-REQ-NNNN id")
        for ref in _list(row["derived_from_upstream"]):
            if not OSS_ID.match(ref):
                raise table.error(line, "derived_from_upstream", f"{ref!r} is not an OSS-REQ or LSR-REQ id")
        for lcr in _list(row["lcrs"]):
            if not LCR.match(lcr):
                raise table.error(line, "lcrs", f"{lcr!r} is not Added:/Updated:/Descoped:LCR-NNNN")
        found[req_id] = Requirement(
            id=req_id,
            title=title,
            priority=_check(
                table, line, row, "priority", PRIORITIES.__contains__, f"a priority ({', '.join(PRIORITIES)})"
            ),
            parent=row["parent"],
            status=_check(table, line, row, "status", ("active", "descoped").__contains__, "active or descoped"),
            section=_check(table, line, row, "section", SECTION.match, "a section number like 1.2.3"),
            derived_dms=_list(row["derived_from_dms"]),
            derived_upstream=_list(row["derived_from_upstream"]),
            lcrs=_list(row["lcrs"]),
            priority_2019=_check(
                table,
                line,
                row,
                "priority_lse61_2019",
                PRIORITIES_2019.__contains__,
                f"one of {', '.join(PRIORITIES_2019)}",
            ),
            deleted_in_2019=_check(table, line, row, "deleted_in_2019", ("", "yes").__contains__, "empty or yes")
            == "yes",
        )
    for line, row in table.rows:
        if row["parent"] and row["parent"] not in found:
            raise table.error(line, "parent", f"{row['parent']} is not a requirement in this file")
    return found


# A line of a requirement's text that Markdown would read as a fence would end the block that holds the text.
FENCE_LINE = re.compile(r"^\s*(```|~~~|:::)")


def _text(table: Table, line: int, column: str, value: str) -> str:
    """A requirement's text as Markdown: paragraphs as the cell gives them, each line without trailing spaces."""
    lines = [text.rstrip() for text in value.split("\n")]
    if any(FENCE_LINE.match(text) for text in lines):
        raise table.error(line, column, "a line opens a fence (```, ~~~ or :::), which would end the text's block")
    return "\n".join(lines).strip()


DERIVED_ITEM = re.compile(r"^(?P<id>\S+): (?P<title>.+)$")
# The upstream documents, by the prefix of their requirement ids.
UPSTREAM_DOCUMENTS = {
    "OSS-REQ": ("LSE-30", "Observatory System Specifications"),
    "LSR-REQ": ("LSE-29", "LSST System Requirements"),
}


def read_derived(table: Table, line: int, req: Requirement, value: str, upstream: dict[str, str]) -> None:
    """The "Derived from requirements" list (`ID: title; ...`): the DMS ids must agree with dms_requirements.csv;
    the upstream ids replace its list (this one is fuller), their titles go into `upstream`."""
    dms: list[str] = []
    ups: list[str] = []
    for item in (part.strip() for part in value.split("; ")):
        match = DERIVED_ITEM.match(item) if item else None
        if item and not match:
            raise table.error(line, "derived_from", f"{item!r} is not 'ID: title'")
        if not match:
            continue
        ref, title = match["id"], _title(table, line, "derived_from", match["title"].strip())
        if REQ_ID.match(ref):
            dms.append(ref)
        elif OSS_ID.match(ref):
            if upstream.setdefault(ref, title) != title:
                raise table.error(line, "derived_from", f"{ref} is titled {upstream[ref]!r} elsewhere, not {title!r}")
            ups.append(ref)
        else:
            raise table.error(line, "derived_from", f"{ref!r} is not a DMS-REQ, OSS-REQ or LSR-REQ id")
    if set(dms) != set(req.derived_dms):
        raise table.error(line, "derived_from", f"DMS ids {dms} differ from {REQUIREMENTS_CSV}'s {req.derived_dms}")
    if missing := sorted(set(req.derived_upstream) - set(ups)):
        raise table.error(line, "derived_from", f"{missing[0]} is in {REQUIREMENTS_CSV} but not here")
    req.derived_upstream = list(dict.fromkeys(ups))


def read_texts(data: Path, requirements: dict[str, Requirement]) -> dict[str, str]:
    """The wording of each requirement: its specification (normative) and discussion, one row per requirement, and
    what it is derived from; returns the upstream requirements' titles by id."""
    table = read_table(data, TEXT_CSV, ("id", "specification", "discussion", "derived_from"))
    upstream: dict[str, str] = {}
    seen: set[str] = set()
    for line, row in table.rows:
        req_id = _check(table, line, row, "id", requirements.__contains__, "a requirement in " + REQUIREMENTS_CSV)
        if req_id in seen:
            raise table.error(line, "id", f"{req_id} appears twice")
        seen.add(req_id)
        specification = _check(table, line, row, "specification", bool, "a specification")
        requirements[req_id].specification = _text(table, line, "specification", specification)
        requirements[req_id].discussion = _text(table, line, "discussion", row["discussion"])
        read_derived(table, line, requirements[req_id], row["derived_from"], upstream)
    missing = sorted(set(requirements) - seen)
    if missing:
        raise table.error(0, "id", f"no text for {missing[0]} ({len(missing)} requirement(s) without a row)")
    return upstream


PARAMETER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# An option value or a description line MyST would read otherwise (a comment, a quote, a fence, an option line).
ONE_LINE = re.compile(r"^[^\n#'\"`:]*$")


def read_parameters(data: Path, requirements: dict[str, Requirement]) -> None:
    """Each requirement's parameters (name, value, unit, description, whether the 2025 text confirms them)."""
    table = read_table(data, PARAMETERS_CSV, ("requirement", "name", "value", "unit", "description", "confirmed_2025"))
    seen: set[tuple[str, str]] = set()
    for line, row in table.rows:
        req_id = _check(
            table, line, row, "requirement", requirements.__contains__, "a requirement in " + REQUIREMENTS_CSV
        )
        name = _check(table, line, row, "name", PARAMETER_NAME.match, "a parameter name (letters, digits, _)")
        if (req_id, name) in seen:
            raise table.error(line, "name", f"{name} appears twice for {req_id}")
        seen.add((req_id, name))
        value = _check(table, line, row, "value", lambda v: bool(v) and bool(ONE_LINE.match(v)), "a one-line value")
        unit = _check(table, line, row, "unit", ONE_LINE.match, "a one-line unit")
        description = _text(table, line, "description", row["description"])
        confirmed = _check(table, line, row, "confirmed_2025", ("yes", "no").__contains__, "yes or no")
        requirements[req_id].parameters.append(Parameter(name, value, unit, description, confirmed == "yes"))


def read_elements(data: Path, requirements: dict[str, Requirement]) -> dict[str, Element]:
    table = read_table(
        data,
        ELEMENTS_CSV,
        ("ve_key", "ve_id", "requirement", "ve_title", "priority", "status_2024_10_29", "status_2025_07_16"),
    )
    by_key: dict[str, Element] = {}
    seen_ids: set[str] = set()
    for line, row in table.rows:
        key = _check(table, line, row, "ve_key", JIRA_VE.match, "a Jira key LVV-N")
        req_id = _check(
            table, line, row, "requirement", requirements.__contains__, "a requirement in " + REQUIREMENTS_CSV
        )
        ve_id = _check(
            table,
            line,
            row,
            "ve_id",
            lambda v, req_id=req_id: bool((m := VE_ID.match(v)) and m["req"] == req_id),
            f"a verification element id {req_id}-V-NN",
        )
        if key in by_key or ve_id in seen_ids:
            raise table.error(line, "ve_key" if key in by_key else "ve_id", "appears twice")
        seen_ids.add(ve_id)
        priority = _check(
            table,
            line,
            row,
            "priority",
            ("", *PRIORITIES).__contains__,
            f"a priority ({', '.join(PRIORITIES)}) or empty",
        )
        element = Element(
            key=key,
            id=ve_id,
            requirement=req_id,
            title=_title(table, line, "ve_title", _check(table, line, row, "ve_title", bool, "a title")),
            # No priority in Jira (one descoped element): it inherits its requirement's, so that every
            # sub-requirement has the priority the rules read.
            priority=priority or requirements[req_id].priority,
            priority_inherited=not priority,
            status=_check(
                table,
                line,
                row,
                "status_2025_07_16",
                VE_STATUSES.__contains__,
                f"a VE status ({', '.join(VE_STATUSES)})",
            ),
            status_2024=_check(
                table, line, row, "status_2024_10_29", ("", *VE_STATUSES).__contains__, "a VE status or empty"
            ),
        )
        by_key[key] = element
        requirements[req_id].elements.append(element)
    return by_key


def read_vcd(
    data: Path, requirements: dict[str, Requirement], by_key: dict[str, Element], tests: dict[str, TestCase]
) -> None:
    table = read_table(
        data,
        VCD_CSV,
        VCD_COLUMNS,
    )
    for line, row in table.rows:
        req_id = _check(
            table, line, row, "requirement", requirements.__contains__, "a requirement in " + REQUIREMENTS_CSV
        )
        requirements[req_id].vcd_priority = _check(
            table,
            line,
            row,
            "req_priority",
            ("", *PRIORITIES).__contains__,
            f"a priority ({', '.join(PRIORITIES)}) or empty",
        )
        key = _check(
            table,
            line,
            row,
            "verification_element",
            by_key.__contains__,
            "a verification element key in " + ELEMENTS_CSV,
        )
        if by_key[key].requirement != req_id:
            raise table.error(line, "verification_element", f"{key} belongs to {by_key[key].requirement}, not {req_id}")
        by_key[key].vcd_priority = _check(
            table,
            line,
            row,
            "ve_priority",
            ("", *PRIORITIES).__contains__,
            f"a priority ({', '.join(PRIORITIES)}) or empty",
        )
        if not row["test_case"]:
            if row["last_run"] or row["last_status"]:
                raise table.error(line, "test_case", "empty, but the row has a last run")
            continue
        test_id = _check(table, line, row, "test_case", TEST_ID.match, "a test case id LVV-TN")
        last_run = _check(table, line, row, "last_run", lambda v: not v or _is_date(v), "an ISO date or empty")
        status = _check(
            table, line, row, "last_status", RESULT_WORDS.__contains__, f"a result ({', '.join(RESULT_WORDS)})"
        )
        test = tests.setdefault(test_id, TestCase(test_id))
        if test.in_vcd and (test.last_run, test.last_status, test.spec) != (last_run, status, row["test_spec"]):
            raise table.error(line, "last_run", f"{test_id} has another last run, status or spec on an earlier row")
        test.in_vcd, test.last_run, test.last_status, test.spec = True, last_run, status, row["test_spec"]
        test.verifies.add(by_key[key].id)


def read_ldm639(data: Path, tests: dict[str, TestCase]) -> None:
    table = read_table(data, LDM639_CSV, ("test_case", "title", "status"))
    for line, row in table.rows:
        test_id = _check(table, line, row, "test_case", TEST_ID.match, "a test case id LVV-TN")
        test = tests.setdefault(test_id, TestCase(test_id))
        test.title = _title(table, line, "title", row["title"]) or test.title
        test.spec = test.spec or "LDM-639"
        test.ldm639_status = _check(table, line, row, "status", bool, "a test case status")


def read_campaign(data: Path, tests: dict[str, TestCase]) -> list[CampaignRun]:
    table = read_table(data, CAMPAIGN_CSV, ("test_case", "title", "execution", "execution_status"))
    runs: list[CampaignRun] = []
    for line, row in table.rows:
        test_id = _check(table, line, row, "test_case", TEST_ID.match, "a test case id LVV-TN")
        word = _check(
            table,
            line,
            row,
            "execution_status",
            CAMPAIGN_WORDS.__contains__,
            f"an execution status ({', '.join(CAMPAIGN_WORDS)})",
        )
        run = CampaignRun(
            test_id,
            _title(table, line, "title", row["title"]),
            _check(table, line, row, "execution", EXECUTION_ID.match, "an execution key LVV-EN"),
            CAMPAIGN_WORDS[word],
            word,
        )
        test = tests.setdefault(test_id, TestCase(test_id))
        test.title = test.title or run.title
        runs.append(run)
    return runs


def read_milestones(data: Path) -> dict[str, Milestone]:
    table = read_table(
        data,
        MILESTONES_CSV,
        (
            "id",
            "name",
            "due_date",
            "due_date_pmcs_2024_02",
            "completed_date",
            "level",
            "wbs",
            "category",
            "predecessors",
            "successors",
            "jira",
            "jira_testplan",
            "test_spec",
            "actual_public_date",
            "note",
        ),
    )
    found: dict[str, Milestone] = {}
    optional_date = (lambda v: not v or _is_date(v), "an ISO date or empty")
    snapshot_pattern = re.compile(r"^PMCS (?P<month>[A-Z][a-z]+) (?P<year>\d{4})\b")
    for line, row in table.rows:
        ms_id = _check(table, line, row, "id", MILESTONE_ID.match, f"a milestone id (pattern {MILESTONE_ID.pattern})")
        if ms_id in found:
            raise table.error(line, "id", f"{ms_id} appears twice")
        found[ms_id] = Milestone(
            id=ms_id,
            name=_title(table, line, "name", _check(table, line, row, "name", bool, "a name")),
            due=_check(table, line, row, "due_date", _is_date, "an ISO date"),
            due_2024_02=_check(table, line, row, "due_date_pmcs_2024_02", *optional_date),
            completed=_check(table, line, row, "completed_date", *optional_date),
            level=_check(table, line, row, "level", lambda v: not v or v.isdigit(), "a number or empty"),
            wbs=row["wbs"],
            category=row["category"],
            predecessors=_list(row["predecessors"]),
            successors=_list(row["successors"]),
            jira=row["jira"],
            jira_testplan=row["jira_testplan"],
            test_spec=row["test_spec"],
            actual_public_date=_check(table, line, row, "actual_public_date", *optional_date),
            note=row["note"],
            snapshot=_snapshot_month(table, line, row, snapshot_pattern),
        )
    return found


def _snapshot_month(table: Table, line: int, row: dict[str, str], pattern: re.Pattern[str]) -> str:
    """'PMCS October 2023 (lsst-dm/...)' -> '2023-10'."""
    match = pattern.match(row.get("snapshot", ""))
    if not match or match["month"] not in MONTHS:
        raise table.error(line, "snapshot", f"{row.get('snapshot', '')!r} does not start 'PMCS <Month> <Year>'")
    return f"{match['year']}-{MONTHS[match['month']]:02d}"


def read_renames(path: Path, milestones: dict[str, Milestone]) -> dict[str, str]:
    """data/milestone_renames.csv: renamed code -> milestone id (each milestone's `renamed` filled in)."""
    table = read_table(path.parent, path.name, ("milestone", "code", "confidence", "evidence"))
    codes: dict[str, str] = {}
    for line, row in table.rows:
        milestone = milestones.get(row["milestone"])
        if milestone is None:
            raise table.error(line, "milestone", f"{row['milestone']!r} is not a milestone of milestones.csv")
        code = _check(table, line, row, "code", MILESTONE_ID.match, "a milestone code")
        if code in codes or code in milestones:
            raise table.error(line, "code", f"{code} is already a milestone or mapped")
        confidence = _check(table, line, row, "confidence", CONFIDENCES.__contains__, " / ".join(CONFIDENCES))
        _check(table, line, row, "evidence", bool, "the evidence for the mapping")
        codes[code] = milestone.id
        milestone.renamed[code] = confidence
    return codes


def read_history(data: Path, milestones: dict[str, Milestone], renamed: dict[str, str]) -> None:
    table = read_table(data, HISTORY_CSV, ("pmcs_month", "code", "due", "completed"))
    for line, row in table.rows:
        month = PMCS_MONTH.match(row["pmcs_month"])
        if not month or month["month"] not in MONTHS:
            raise table.error(line, "pmcs_month", f"{row['pmcs_month']!r} is not a month like 'October 2023'")
        due = _check(table, line, row, "due", _is_date, "an ISO date")
        completed = _check(table, line, row, "completed", ("yes", "no").__contains__, "yes or no")
        milestone = milestones.get(row["code"]) or milestones.get(renamed.get(row["code"], ""))
        if milestone is None:
            continue
        label = f"{month['year']}-{MONTHS[month['month']]:02d}"
        if any(entry[0] == label for entry in milestone.forecast):
            raise table.error(line, "pmcs_month", f"{milestone.id} has two entries for {row['pmcs_month']}")
        code = "" if row["code"] == milestone.id else row["code"]
        milestone.forecast.append((label, due, completed == "yes", code))
    for milestone in milestones.values():
        milestone.forecast.sort()


def read_catalogue(data: Path, renames: Path = DEFAULT_RENAMES) -> Catalogue:
    requirements = read_requirements(data)
    upstream = read_texts(data, requirements)
    read_parameters(data, requirements)
    by_key = read_elements(data, requirements)
    tests: dict[str, TestCase] = {}
    read_vcd(data, requirements, by_key, tests)
    read_ldm639(data, tests)
    campaign = read_campaign(data, tests)
    milestones = read_milestones(data)
    read_history(data, milestones, read_renames(renames, milestones))
    for req in requirements.values():
        req.elements.sort(key=lambda e: e.id)
    # read_vcd has read it as UTF-8 already; decoded without newline translation, it is written back unchanged.
    vcd_export = (data / VCD_CSV).read_bytes().decode("utf-8")
    elements = {e.id: e for e in by_key.values()}
    return Catalogue(requirements, elements, tests, campaign, milestones, vcd_export, upstream)


# ---- writing -------------------------------------------------------------------------------------------------


def directive(kind: str, title: str, options: list[tuple[str, str]], body: list[str]) -> str:
    lines = [f"```{{{kind}}} {title}"]
    lines += [f":{key}: {value}" for key, value in options if value]
    if body:
        lines += ["", *body]
    lines.append("```")
    return "\n".join(lines) + "\n"


def page(title: str, intro: list[str], blocks: list[str]) -> str:
    head = [f"# {title}", "", GENERATED_NOTE, *(["", *intro] if intro else [])]
    return "\n".join(head) + "\n\n" + "\n".join(blocks)


def need_ref(need_id: str, known: dict[str, Requirement]) -> str:
    return f"{{need}}`{need_id}`" if need_id in known else f"{need_id} (not in LSE-61 rel10.2.1)"


def _refines(req: Requirement, catalogue: Catalogue) -> str:
    """A child of a roll-up requirement refines the roll-up element, which refines the requirement itself."""
    if not req.parent:
        return ""
    roll_up = [e.id for e in catalogue.requirements[req.parent].elements if e.id in ROLL_UPS]
    return roll_up[0] if roll_up else req.parent


def text_block(kind: str, text: str) -> str:
    """A requirement's {specification} or {discussion}: a colon fence nested in the requirement's body."""
    return f":::{{{kind}}}\n{text}\n:::" if text else ""


def parameter_block(parameter: Parameter) -> str:
    """A requirement's {parameter}: name as argument, value, unit and confirmation as options, the description."""
    lines = [f":::{{parameter}} {parameter.name}", f":value: {parameter.value}"]
    lines += [f":unit: {parameter.unit}"] if parameter.unit else []
    lines += [f":confirmed: {'yes' if parameter.confirmed else 'no'}"]
    lines += ["", parameter.description] if parameter.description else []
    return "\n".join([*lines, ":::"])


def requirement_block(req: Requirement, catalogue: Catalogue) -> str:
    body: list[str] = [
        block
        for block in (text_block("specification", req.specification), text_block("discussion", req.discussion))
        if block
    ]
    body += [parameter_block(parameter) for parameter in req.parameters]
    refines = _refines(req, catalogue)
    if refines != req.parent:
        body.append(
            f"Nested under {{need}}`{req.parent}` in LSE-61; it refines that requirement's roll-up "
            f"verification element {{need}}`{refines}`, which is verified through its children."
        )
    uncatalogued = [i for i in req.derived_dms if i not in catalogue.requirements]
    if uncatalogued:
        # Ids LSE-61 cites but does not define: a link would dangle, so they stay words.
        which = "which are" if len(uncatalogued) > 1 else "which is"
        body.append(f"Also derived from {', '.join(uncatalogued)}, {which} not in LSE-61 rel10.2.1 (so not linked).")
    if req.vcd_priority and req.vcd_priority != req.priority:
        body.append(f"Priority in the LDM-692 VCD: {req.vcd_priority}.")
    if req.deleted_in_2019:
        body.append("Listed under Deleted Requirements in the 2019 LSE-61 export.")
    if not req.elements:
        body.append("No verification element in Jira.")
    options = [
        ("id", req.id),
        ("priority", req.priority),
        ("status", "descoped" if req.status == "descoped" else ""),
        ("section", req.section),
        ("priority_2019", req.priority_2019),
        ("lcrs", "; ".join(req.lcrs)),
        ("refines", refines),
        ("derives_from", ", ".join(i for i in req.derived_dms if i in catalogue.requirements)),
        ("flows_from", ", ".join(req.derived_upstream)),
    ]
    return directive("req", req.title, options, _paragraphs(body))


def upstream_pages(catalogue: Catalogue) -> Iterator[tuple[str, str]]:
    """One page per upstream document: each of its requirements LSE-61 derives from, with the title LSE-61 gives."""
    for prefix, (document, name) in UPSTREAM_DOCUMENTS.items():
        ids = sorted(i for i in catalogue.upstream if i.startswith(prefix + "-"))
        if not ids:
            continue
        intro = [
            f"The requirements of {document} ({name}) that LSE-61 requirements are derived from, with the titles "
            f"LSE-61 gives them (lse61_text.csv); not the whole of {document}."
        ]
        blocks = [directive("upstream", catalogue.upstream[i], [("id", i), ("document", document)], []) for i in ids]
        yield f"needs/upstream/{document.lower()}.md", page(f"{document} {name} (upstream)", intro, blocks)


def element_block(element: Element, catalogue: Catalogue) -> str:
    body: list[str] = []
    if element.priority_inherited:
        body.append(
            f"No priority in the Jira export: it inherits {element.priority} from {{need}}`{element.requirement}`."
        )
    if element.id in ROLL_UPS:
        children = sorted(r.id for r in catalogue.requirements.values() if r.parent == element.requirement)
        body.append(
            "Roll-up: no test case of its own (LDM-692 VCD). It is verified through the child "
            "requirements " + ", ".join(f"{{need}}`{c}`" for c in children) + ", which refine it."
        )
    if element.vcd_priority and element.vcd_priority != element.priority:
        body.append(f"Priority in the LDM-692 VCD: {element.vcd_priority}.")
    options = [
        ("id", element.id),
        ("priority", element.priority),
        ("status", "descoped" if element.status == "Descoped" else ""),
        ("refines", element.requirement),
        ("jira", element.key),
    ]
    return directive("subreq", element.title, options, _paragraphs(body))


def test_block(test: TestCase) -> str:
    body: list[str] = []
    if test.ldm639_status:
        body.append(f"LDM-639 status: {test.ldm639_status}.")
    if not test.in_vcd:
        body.append("Not in the LDM-692 verification control document: no requirement mapping.")
    options = [("id", test.id), ("verifies", ", ".join(sorted(test.verifies))), ("spec", test.spec)]
    return directive("test", test.title or test.id, options, _paragraphs(body))


def _aliases(note: str) -> tuple[str, str]:
    """'alias: ComCam on TMA. rest' -> ('ComCam on TMA', 'rest')."""
    if not note.startswith("alias:"):
        return "", note
    alias, _, rest = note.removeprefix("alias:").partition(". ")
    return alias.strip().rstrip("."), rest.strip()


def milestone_block(ms: Milestone, catalogue: Catalogue) -> str:
    known = catalogue.milestones
    alias, note = _aliases(ms.note)
    body: list[str] = []
    if ms.id in NEEDED_BY_PRIORITY:
        body.append(
            f"Needed by every active requirement and verification element of priority "
            f"{NEEDED_BY_PRIORITY[ms.id]}, by definition (the milestone's name); the requirements "
            f"carry no per-item milestone link."
        )
    outside_before = [p for p in ms.predecessors if p not in known]
    outside_after = [s for s in ms.successors if s not in known]
    if outside_before:
        body.append("Predecessors outside this catalogue: " + ", ".join(outside_before) + ".")
    if outside_after:
        body.append("Successors outside this catalogue: " + ", ".join(outside_after) + ".")
    if ms.renamed:
        body.append(
            "From February 2024 the planning system lists it under another code ("
            + ", ".join(f"{code}, confidence {confidence}" for code, confidence in ms.renamed.items())
            + "); the evidence is in `data/milestone_renames.csv`."
        )
    if note:
        body.append(f"Note: {note}")
    tracking = [
        f"{label} {value}"
        for label, value in (("Jira", ms.jira), ("test plan", ms.jira_testplan), ("test specification", ms.test_spec))
        if value
    ]
    if tracking:
        body.append("; ".join(tracking) + ".")
    options = [
        ("id", ms.id),
        ("due", ms.due),
        ("due_snapshot", ms.snapshot),
        ("rebaselined", f"2024-02={ms.due_2024_02}" if ms.due_2024_02 else ""),
        ("completed", ms.completed),
        ("actual_public", ms.actual_public_date),
        ("level", ms.level),
        ("wbs", ms.wbs),
        ("after", ", ".join(p for p in ms.predecessors if p in known)),
        ("forecast", " ".join(_forecast_entry(*entry) for entry in ms.forecast)),
        ("renamed", " ".join(f"{code}={confidence}" for code, confidence in ms.renamed.items())),
        ("aliases", alias),
    ]
    return directive("milestone", ms.name, options, _paragraphs(body))


def _forecast_entry(month: str, due: str, completed: bool, code: str) -> str:
    """One `forecast` entry: '2025-04=2025-04-15!@COMC-3250' (completed in that snapshot, listed as COMC-3250)."""
    return f"{month}={due}{'!' if completed else ''}{'@' + code if code else ''}"


def plan_page(catalogue: Catalogue) -> tuple[str, str]:
    """The LDM-503-19a campaign's test plan as a need; its executions stay in results/campaign_results.csv."""
    intro = [
        "Test plans (verification campaigns). Each plan's executions are records in `results/campaign_results.csv` "
        "(its `plan` column); the plan's page lists them."
    ]
    block = directive(
        "plan",
        "LDM-503-19a verification campaign",
        [
            ("id", CAMPAIGN_PLAN_KEY),
            ("serves", "LDM-503-19a"),
            ("cycle", CAMPAIGN_CYCLE),
            ("report", CAMPAIGN_REPORT),
        ],
        [
            f"The campaign that verifies the P1a requirements for LDM-503-19a: {len(catalogue.campaign)} executions "
            f"in test cycle {CAMPAIGN_CYCLE}, reported in {CAMPAIGN_REPORT} (dated 2025-09-11; the executions carry "
            "no dates of their own)."
        ],
    )
    return "needs/plans/lvv-p117.md", page("Test plans", intro, [block])


def _paragraphs(sentences: list[str]) -> list[str]:
    out: list[str] = []
    for sentence in sentences:
        out += [*([""] if out else []), sentence]
    return out


def requirement_pages(catalogue: Catalogue) -> Iterator[tuple[str, str]]:
    areas: dict[tuple[int, int], list[Requirement]] = defaultdict(list)
    for req in catalogue.requirements.values():
        areas[req.section_key[:2]].append(req)
    for area in sorted(areas):
        reqs = sorted(areas[area], key=lambda r: (r.section_key, r.id))
        blocks: list[str] = []
        for req in reqs:
            blocks.append(requirement_block(req, catalogue))
            blocks += [element_block(e, catalogue) for e in req.elements]
        number = ".".join(map(str, area))
        intro = [
            f"Requirements of LSE-61 section {number} (rel10.2.1), in section order, each followed by its "
            "verification elements (Jira LVV), which refine it."
        ]
        if any(e.id in ROLL_UPS for r in reqs for e in r.elements):
            intro.append("")
            intro.append(
                "DMS-REQ-0155 and DMS-REQ-0156 are roll-ups: their verification elements have no test "
                "case and are verified through the child requirements, which refine those elements; "
                "the requirements are therefore traced by children."
            )
        yield f"needs/requirements/section-{area[0]}-{area[1]}.md", page(f"LSE-61 section {number}", intro, blocks)


def test_pages(catalogue: Catalogue) -> Iterator[tuple[str, str]]:
    groups: dict[int, list[TestCase]] = defaultdict(list)
    for test in catalogue.tests.values():
        groups[test.number // 1000].append(test)
    for thousand in sorted(groups):
        tests = sorted(groups[thousand], key=lambda t: t.number)
        low, high = max(thousand * 1000, 1), thousand * 1000 + 999
        intro = [
            "Test cases of the DM acceptance test specification (LDM-639) and the verification control "
            "document (LDM-692), with the verification elements each verifies. Last results are in "
            "`results/campaign_results.csv`."
        ]
        yield (
            f"needs/tests/lvv-t{thousand * 1000:04d}.md",
            page(f"Test cases LVV-T{low} to LVV-T{high}", intro, [test_block(t) for t in tests]),
        )


MILESTONE_PAGES = (
    (
        "ldm-503",
        "DM test milestones (LDM-503)",
        "DM (LDM-503 test milestone)",
        "Due dates are the PMCS December 2023 baseline (`due_snapshot`) and, where given, the February 2024 one "
        "(`rebaselined`); for completed milestones the baseline moved after completion, so trust the completion "
        "date.",
    ),
    (
        "dm-other",
        "Other DM milestones",
        "DM (other)",
        "Due dates are the PMCS October 2023 forecasts (`due_snapshot`), later ones the February 2024 baseline.",
    ),
    (
        "project",
        "Project milestones",
        "Project (PMCS)",
        "Due dates are the PMCS October 2023 forecasts (the month of the DM-SST meeting); the forecast history "
        "lists every PMCS snapshot, under renamed codes too (`renamed`, from `data/milestone_renames.csv`). "
        "Aliases are the names the meeting minutes use.",
    ),
)


def milestone_pages(catalogue: Catalogue) -> Iterator[tuple[str, str]]:
    by_category: dict[str, list[Milestone]] = defaultdict(list)
    for ms in catalogue.milestones.values():
        by_category[ms.category].append(ms)
    for name, title, category, intro in MILESTONE_PAGES:
        items = sorted(by_category.pop(category, []), key=lambda m: m.id)
        if items:
            yield f"needs/milestones/{name}.md", page(title, [intro], [milestone_block(m, catalogue) for m in items])
    for category in sorted(by_category):
        slug = re.sub(r"[^a-z0-9]+", "-", category.lower()).strip("-")
        items = sorted(by_category[category], key=lambda m: m.id)
        yield f"needs/milestones/{slug}.md", page(category, [], [milestone_block(m, catalogue) for m in items])


def results_csv(catalogue: Catalogue) -> str:
    """Every execution record the data has: each VCD test case's last run (dated, as the VCD shows it), and each of
    the campaign's executions, undated as in its report, with its own status word, execution key, plan and cycle."""
    rows = [
        (t.number, 0, t.id, t.last_run, t.last_status, VCD_SOURCE, "", "", "", VCD_REPORT)
        for t in catalogue.tests.values()
        if t.in_vcd
    ]
    for run in catalogue.campaign:
        test = catalogue.tests[run.test_case]
        rows.append(
            (
                test.number,
                1,
                run.test_case,
                "",
                run.word,
                CAMPAIGN_REPORT,
                run.execution,
                CAMPAIGN_PLAN_KEY,
                CAMPAIGN_CYCLE,
                CAMPAIGN_REPORT,
            )
        )
    lines = ["test_case,last_run,status,source,execution,plan,cycle,report"]
    lines += [",".join(row[2:]) for row in sorted(rows)]
    return "\n".join(lines) + "\n"


def signoff_csvs(catalogue: Catalogue) -> dict[str, str]:
    """One sign-off snapshot file per export date: each VE's recorded status (empty statuses left out)."""
    snapshots = {"2024-10-29": lambda e: e.status_2024, "2025-07-16": lambda e: e.status}
    files = {}
    for date, status_of in snapshots.items():
        lines = ["ve_id,ve_key,status"]
        for element in sorted(catalogue.elements.values(), key=lambda e: e.id):
            if status_of(element):
                lines.append(f"{element.id},{element.key},{status_of(element)}")
        files[f"results/signoff/{date}.csv"] = "\n".join(lines) + "\n"
    return files


def render(catalogue: Catalogue) -> dict[str, str]:
    files = dict(requirement_pages(catalogue))
    files.update(test_pages(catalogue))
    files.update(milestone_pages(catalogue))
    files.update([plan_page(catalogue)])
    files.update(upstream_pages(catalogue))
    files["results/campaign_results.csv"] = results_csv(catalogue)
    files.update(signoff_csvs(catalogue))
    files[VCD_EXPORT] = catalogue.vcd_export
    return files


def write(files: dict[str, str], out: Path, force: bool) -> list[str]:
    """Writes the files; an existing file with other content is an author's edit and is kept unless forced.
    Compared as bytes: the VCD export keeps its CRLF line ends, which reading as text would translate."""
    edited = [
        name
        for name, text in files.items()
        if (out / name).is_file() and (out / name).read_bytes() != text.encode("utf-8")
    ]
    if edited and not force:
        return edited
    for name, text in files.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"reference data (default {DEFAULT_DATA})")
    parser.add_argument(
        "--renames", type=Path, default=DEFAULT_RENAMES, help=f"renamed planning codes (default {DEFAULT_RENAMES})"
    )
    parser.add_argument("--out", type=Path, default=ROOT, help="site root to write needs/ and results/ into")
    parser.add_argument("--force", action="store_true", help="overwrite files that differ from the import")
    args = parser.parse_args(argv)
    try:
        catalogue = read_catalogue(args.data, args.renames)
    except RowError as err:
        print(err, file=sys.stderr)
        return 1
    files = render(catalogue)
    edited = write(files, args.out, args.force)
    if edited:
        print(
            f"{args.out / edited[0]}: differs from the import (edited since?); not overwritten "
            f"({len(edited)} file(s)); use --force to replace",
            file=sys.stderr,
        )
        return 1
    print(
        f"{len(catalogue.requirements)} requirements, {len(catalogue.elements)} verification elements, "
        f"{len(catalogue.tests)} test cases, {len(catalogue.milestones)} milestones, "
        f"{len(catalogue.upstream)} upstream requirements -> {len(files)} files"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
