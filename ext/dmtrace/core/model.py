"""The traceability model: need types, fields and links, and the plain `Need` record both read paths produce."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

PRIORITIES: tuple[str, ...] = ("1a", "1b", "2", "3")
STATUSES: tuple[str, ...] = ("active", "descoped")
METHODS: tuple[str, ...] = ("test", "analysis", "inspection", "demonstration")
DEFAULT_STATUS = "active"
DEFAULT_METHOD = "test"


@dataclass(frozen=True)
class NeedType:
    """One directive: its id pattern and how it shows up in diagrams and cards."""

    directive: str
    title: str
    id_pattern: str
    example_id: str
    color: str


@dataclass(frozen=True)
class LinkType:
    """One outgoing link option, the need types it may start from and point to."""

    name: str
    outgoing: str
    incoming: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    acyclic: bool = False
    exactly_one_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldSpec:
    """One extra field: where it applies and, when the values are a closed set, which ones."""

    name: str
    description: str
    applies_to: tuple[str, ...]
    allowed: tuple[str, ...] = ()
    is_date: bool = False
    month_allowed: bool = False
    required: bool = False


NEED_TYPES: dict[str, NeedType] = {
    t.directive: t
    for t in (
        NeedType("req", "Requirement", r"^DMS-REQ-\d{4}$", "DMS-REQ-0293", "#BFD8D2"),
        NeedType("subreq", "Sub-requirement", r"^DMS-REQ-\d{4}-V-\d{2}$", "DMS-REQ-0066-V-01", "#D9E8E4"),
        NeedType("test", "Test case", r"^LVV-T\d+$", "LVV-T2303", "#DCB239"),
        NeedType("milestone", "Milestone", r"^[A-Z][A-Za-z0-9&]*(-[A-Za-z0-9]+)*$", "LDM-503-19a", "#9DB5E0"),
        NeedType("upstream", "Upstream requirement", r"^(OSS|LSR)-REQ-\d{4}$", "OSS-REQ-0004", "#E3D5EA"),
        NeedType("plan", "Test plan", r"^LVV-P\d+$", "LVV-P117", "#E8D3A9"),
    )
}

REQUIREMENT_TYPES: tuple[str, ...] = ("req", "subreq")
# The documents LSE-61 derives from: the Observatory System Specifications and the LSST System Requirements.
UPSTREAM_DOCUMENTS: tuple[str, ...] = ("LSE-30", "LSE-29")

IdPatterns = Mapping[str, tuple[str, ...]]


def id_patterns(overrides: Mapping[str, str | Sequence[str]] | None = None) -> dict[str, tuple[str, ...]]:
    """The accepted id regexes per need type: conf.py's `trace_id_patterns` replaces a type's default pattern."""
    patterns: dict[str, tuple[str, ...]] = {name: (spec.id_pattern,) for name, spec in NEED_TYPES.items()}
    for name, value in (overrides or {}).items():
        if name in patterns:
            # Anything but a string or a list of them is kept as written: `pattern_error` says what is wrong.
            patterns[name] = tuple(value) if isinstance(value, (list, tuple)) else (cast(str, value),)
    return patterns


def pattern_error(regex: object) -> str | None:
    """Why `regex` (an id pattern or a view's scope, from conf.py or a directive) cannot be compiled, or None."""
    if not isinstance(regex, str):
        return f"not a string but {type(regex).__name__}"
    try:
        re.compile(regex)
    except re.error as err:
        return str(err)
    except (RecursionError, OverflowError, MemoryError) as err:
        return f"{type(err).__name__}: {err}"
    return None


LINK_TYPES: dict[str, LinkType] = {
    lt.name: lt
    for lt in (
        LinkType("verifies", "verifies", "verified by", ("test",), REQUIREMENT_TYPES),
        LinkType(
            "refines",
            "refines",
            "refined by",
            REQUIREMENT_TYPES,
            REQUIREMENT_TYPES,
            acyclic=True,
            exactly_one_for=("subreq",),
        ),
        LinkType("milestone", "milestone", "needed by", REQUIREMENT_TYPES, ("milestone",)),
        LinkType("after", "after", "before", ("milestone",), ("milestone",), acyclic=True),
        # A test plan (a verification campaign) and the milestone it serves.
        LinkType("serves", "serves", "served by", ("plan",), ("milestone",)),
        # LSE-61's "Derived from requirements": another DMS requirement, or an upstream one (LSE-30, LSE-29).
        LinkType("derives_from", "derives from", "source of", ("req",), ("req",)),
        LinkType("flows_from", "flows down from", "flows down to", ("req",), ("upstream",)),
    )
}

FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec(
            "priority",
            "Verification priority: 1a before commissioning, then 1b, 2, 3.",
            REQUIREMENT_TYPES,
            allowed=PRIORITIES,
            required=True,
        ),
        FieldSpec("method", "Verification method of a test case.", ("test",), allowed=METHODS),
        FieldSpec(
            "due",
            "Due date (ISO date, or a month YYYY-MM).",
            ("milestone",),
            is_date=True,
            month_allowed=True,
            required=True,
        ),
        FieldSpec(
            "completed",
            "Completion date in the planning system (PMCS), under the milestone's own code.",
            ("milestone",),
            is_date=True,
        ),
        FieldSpec(
            "actual_public",
            "Completion date from a public record outside the planning system (ISO date).",
            ("milestone",),
            is_date=True,
        ),
        FieldSpec(
            "due_snapshot",
            "The planning snapshot (YYYY-MM) the `due` baseline comes from.",
            ("milestone",),
            is_date=True,
            month_allowed=True,
        ),
        FieldSpec(
            "rebaselined",
            "Later baselines 'YYYY-MM=DATE': the planning snapshot's month = its baseline date (space separated).",
            ("milestone",),
        ),
        FieldSpec(
            "renamed",
            "Codes the planning system later lists the milestone under, 'CODE=confidence' (high, medium, low), "
            "as data/milestone_renames.csv records them with their evidence (space separated).",
            ("milestone",),
        ),
        FieldSpec(
            "reviewed",
            "A reviewer's record that a normative change leaves verification intact: the fingerprint of the "
            "normative content reviewed (see the authoring guide).",
            (*REQUIREMENT_TYPES, "test"),
        ),
        FieldSpec("cycle", "The test cycle (Jira LVV-R) that ran the plan's executions.", ("plan",)),
        FieldSpec("report", "The test report (DMTR-n) that publishes the plan's results.", ("plan",)),
        FieldSpec(
            "document",
            "The upstream document the requirement belongs to (LSE-30 or LSE-29).",
            ("upstream",),
            allowed=UPSTREAM_DOCUMENTS,
            required=True,
        ),
        FieldSpec("lcrs", "Change requests (LCRs) that added or changed the requirement.", REQUIREMENT_TYPES),
        FieldSpec(
            "priority_2019", "Priority in the 2019 LSE-61 export (absent / unset where it had none).", REQUIREMENT_TYPES
        ),
        FieldSpec("section", "Section number in LSE-61.", ("req",)),
        FieldSpec("jira", "Jira key of the verification element or test case.", ("subreq", "test")),
        FieldSpec("spec", "Test specification document the test case belongs to.", ("test",)),
        FieldSpec("pytest", "Pytest node ids that implement the test case (space separated).", ("test",)),
        FieldSpec("level", "Milestone level in the project controls system.", ("milestone",)),
        FieldSpec("wbs", "Work breakdown structure element.", ("milestone",)),
        FieldSpec(
            "forecast",
            "Forecast history 'YYYY-MM=DATE' entries, oldest first (space separated); 'YYYY-MM=DATE!' when that "
            "snapshot marks it completed (DATE is then the completion), '@CODE' after it when the snapshot lists "
            "it under another (renamed) code.",
            ("milestone",),
        ),
        FieldSpec(
            "aliases", "Other names for the milestone, as used in meetings (semicolon separated).", ("milestone",)
        ),
    )
}

# Written by the build into every need (and so into needs.json); never authored.
COMPUTED_FIELDS: dict[str, str] = {
    "trace": "Computed: traced directly / traced by children / untraced / descoped.",
    "verification": "Computed: verified / failing / partially run / not run / untraced / descoped.",
    "last_result": "Computed: outcome of the latest run of a test case.",
    "last_run": "Computed: date of the latest run of a test case.",
    "result_source": "Computed: the results file the latest run came from.",
    "changes": "Computed: the latest commits that changed the requirement (from git history).",
    "pytest_missing": "Computed: pytest node ids of the test case that no loaded JUnit file ran.",
    "evidence": "Computed: what the test runs show, in the VCD's categories (Fully Verified ... Not Covered).",
    "signoff": "Computed: the recorded sign-off (a VE's status; a requirement's roll-up of its VEs).",
    "signoff_date": "Computed: the date of the sign-off snapshot the sign-off is read from.",
    "signoff_note": "Computed: why a sign-off is counted as it is when nothing was recorded.",
    "last_status": "Computed: the deciding record's status word, as recorded (e.g. Pass w/ Deviation).",
    "last_record": "Computed: the deciding record's provenance (source, execution, plan, cycle, report).",
    "state": "Computed: a milestone's state: completed, open or overdue (against its latest forecast).",
    "actual": "Computed: the completion date that decides a milestone's state (see its page for the rule).",
    "forecast_latest": "Computed: an open milestone's latest date from the most recent planning snapshot having it.",
    "forecast_month": "Computed: the planning snapshot (YYYY-MM) that forecast_latest comes from.",
    "fingerprint": "Computed: the fingerprint of the need's normative content (what a `reviewed` option records).",
    "suspect_change": "Computed: the change (commit, date) that made a suspect item's verification outdated.",
    "suspect_outdates": "Computed: the evidence (last pass, sign-off snapshot) a suspect item's change outdates.",
}
# Written as a list of records, not a string: each test case's execution history.
COMPUTED_LISTS: dict[str, str] = {
    "executions": "Computed: every execution record of a test case (date, status word, source, execution, plan, "
    "cycle, report), oldest first; undated records first.",
    "forecast_history": "Computed: a milestone's dates from the planning snapshots (month, date, kind baseline or "
    "forecast, code it was listed under, completed), oldest snapshot first.",
}

# Written as true/false: whether a requirement's or VE's verification is suspect (dmtrace.core.suspect).
COMPUTED_FLAGS: dict[str, str] = {
    "suspect": "Computed: true when the item's normative content, or a test case's text, changed after its evidence.",
}

# Read from the need's body (its {specification} and {discussion} blocks) and written by the build into needs.json.
TEXT_FIELDS: dict[str, str] = {
    "specification": "The requirement's normative text: its {specification} block.",
    "discussion": "The discussion of the requirement: its {discussion} block (empty when it has none).",
}
# Read from the need's body too, written as a list of records: {name, value, unit, description, confirmed} each.
BODY_LISTS: dict[str, str] = {
    "parameters": "The requirement's parameters: its {parameter} blocks (confirmed false: not confirmed in 2025).",
}

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
# One entry of a milestone's `forecast` field: the month the forecast was made = the date it forecast.
FORECAST_ENTRY = re.compile(
    r"^(?P<made>\d{4}-\d{2})=(?P<due>\d{4}-\d{2}-\d{2})(?P<done>!)?(?:@(?P<code>[A-Za-z0-9&_.-]+))?$"
)
# One entry of a milestone's `rebaselined` field: the planning snapshot's month = the baseline date it gives.
RENAMED_ENTRY = re.compile(r"^(?P<code>[A-Za-z0-9&_.-]+)=(?P<confidence>high|medium|low)$")
BASELINE_ENTRY = re.compile(r"^(?P<made>\d{4}-\d{2})=(?P<due>\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Parameter:
    """One parameter of a requirement, from a `{parameter}` block in its body: name, value, unit, description."""

    name: str
    value: str
    unit: str = ""
    description: str = ""
    confirmed: bool = True  # False: the value is not confirmed by the current edition (`:confirmed: no`)

    def as_json(self) -> dict[str, str | bool]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "description": self.description,
            "confirmed": self.confirmed,
        }


@dataclass
class Need:
    """A need as the rules see it, whichever path (Sphinx or the fast source reader) produced it."""

    id: str
    type: str
    title: str
    file: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    content: str = ""
    specification: str = ""  # the body's {specification} block (dmtrace.core.needtext)
    discussion: str = ""  # the body's {discussion} block
    parameters: tuple[Parameter, ...] = ()  # the body's {parameter} blocks, in order

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name) or default

    @property
    def status(self) -> str:
        return self.get("status", DEFAULT_STATUS)

    @property
    def priority(self) -> str:
        return self.get("priority")

    @property
    def method(self) -> str:
        return self.get("method", DEFAULT_METHOD)

    @property
    def is_active(self) -> bool:
        return self.status != "descoped"

    def targets(self, link: str) -> list[str]:
        return self.links.get(link, [])


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule, located at the directive (or results file line) it is about."""

    file: str
    line: int
    need_id: str
    message: str
    rule: str


@dataclass(frozen=True)
class IdOccurrence:
    """Where a need id is defined: duplicate ids are found from these, since sphinx-needs keeps only one."""

    id: str
    type: str
    file: str
    line: int


def sphinx_needs_config() -> dict[str, Any]:
    """The sphinx-needs settings (current v9 API) that implement this model; conf.py takes them as they are."""
    needs_fields: dict[str, Any] = {}
    for spec in FIELDS.values():
        # Defaults (status, method) live in the model, not in sphinx-needs, so that both read paths agree.
        needs_fields[spec.name] = {"description": spec.description, "schema": {"type": "string"}, "nullable": True}
    for name, description in COMPUTED_FIELDS.items():
        needs_fields[name] = {"description": description, "schema": {"type": "string"}, "nullable": True}
    for name, description in TEXT_FIELDS.items():
        needs_fields[name] = {"description": description, "schema": {"type": "string"}, "nullable": True}
    for name, description in {**COMPUTED_LISTS, **BODY_LISTS}.items():
        needs_fields[name] = {"description": description, "nullable": True}
    for name, description in COMPUTED_FLAGS.items():
        needs_fields[name] = {"description": description, "schema": {"type": "boolean"}, "nullable": True}
    needs_links = {
        lt.name: {
            "outgoing": lt.outgoing,
            "incoming": lt.incoming,
            # The project's rules report dangling links with file and line; sphinx-needs' own
            # dead-link warning has no rule code, so it is switched off here.
            "allow_dead_links": True,
        }
        for lt in LINK_TYPES.values()
    }
    return {
        "needs_types": [
            {"directive": t.directive, "title": t.title, "prefix": "", "color": t.color, "style": "node"}
            for t in NEED_TYPES.values()
        ],
        "needs_fields": needs_fields,
        "needs_links": needs_links,
        "needs_id_regex": r"^\S+$",
        "needs_id_required": True,
        "needs_build_json": True,
        # Every field is a string and the project's rules check the values (with file and line): sphinx-needs'
        # JSON-schema pass over every need, in every build, would find nothing more.
        "needs_schema_validation_enabled": False,
        "needs_flow_engine": "graphviz",
    }


@lru_cache(maxsize=65536)
def natural_key(text: str) -> tuple[object, ...]:
    """LVV-T9 before LVV-T10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))
