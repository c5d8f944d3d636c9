"""What the pages call things: one readable label per need field, and the words that explain an execution record
(its date, or why it has none; a "not run" result next to a date)."""

from __future__ import annotations

from collections.abc import Mapping

# The verification control document's report number: a record it gives carries the VCD's "Last Run" date.
VCD_REPORT = "LDM-692"

# Every field a card may show, authored (core.model.FIELDS), computed (COMPUTED_FIELDS, COMPUTED_LISTS) or
# sphinx-needs' own; tests/test_statuses_shown.py checks that none is missing.
FIELD_LABELS: dict[str, str] = {
    # sphinx-needs' own fields shown in a layout
    "status": "Status",
    "tags": "Tags",
    "layout": "Layout",
    "style": "Style",
    "external_url": "External URL",
    "signature": "Signature",
    # authored
    "priority": "Priority",
    "method": "Method",
    "due": "Due",
    "completed": "Completed",
    "lcrs": "Change requests",
    "priority_2019": "Priority (2019)",
    "section": "LSE-61 section",
    "jira": "Jira key",
    "spec": "Test specification",
    "pytest": "Pytest nodes",
    "level": "Level",
    "wbs": "WBS element",
    "forecast": "Forecast history",
    "aliases": "Also called",
    "actual_public": "Actual (public record)",
    "due_snapshot": "Due date's snapshot",
    "rebaselined": "Later baselines",
    "renamed": "Listed later as",
    "cycle": "Test cycle",
    "report": "Test report",
    "document": "Document",
    # computed by the build
    "trace": "Traced",
    "verification": "Verification",
    "last_result": "Last result",
    "last_run": "Last run",
    "result_source": "Results file",
    "changes": "Changes",
    "pytest_missing": "Pytest nodes not run",
    "evidence": "Evidence",
    "signoff": "Sign-off",
    "signoff_date": "Sign-off snapshot",
    "signoff_note": "Sign-off note",
    "last_status": "Last status",
    "last_record": "Record",
    "executions": "Execution history",
    "state": "State",
    "fingerprint": "Normative fingerprint",
    "suspect": "Verification",
    "suspect_change": "Changed",
    "suspect_outdates": "Outdates",
    "reviewed": "Reviewed (fingerprint)",
    "actual": "Completed",
    "forecast_latest": "Latest forecast",
    "forecast_month": "Latest forecast's snapshot",
    "forecast_history": "Planning history",
    # read from the requirement's body
    "specification": "Specification",
    "discussion": "Discussion",
    "parameters": "Parameters",
}

# The columns of a test case's execution history: (key of the record in `executions`, header).
EXECUTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("date", "Date"),
    ("status", "Status (as recorded)"),
    ("source", "Source"),
    ("execution", "Execution"),
    ("plan", "Test plan"),
    ("cycle", "Test cycle"),
    ("report", "Report"),
)
HISTORY_ORDER = "newest first; undated records last (the data does not say when they ran)"
UNDATED = "undated"
NO_DATE = "no date in the data"
NOT_RUN_OUTCOMES = frozenset({"not run", "skipped"})


def field_label(name: str) -> str:
    """The label of a need field: from the table, else the name with spaces ("new_field" -> "New field")."""
    label = FIELD_LABELS.get(name)
    if label is None:
        words = name.replace("_", " ").strip()
        label = words[:1].upper() + words[1:]
    return label


def link_label(text: str) -> str:
    """A link type's display name as a label ("verified by" -> "Verified by")."""
    return text[:1].upper() + text[1:]


def signoff_label(snapshot_date: str) -> str:
    """ "Sign-off (2025-07-16)": the sign-off names the snapshot it is read from, or says there is none."""
    return f"Sign-off ({snapshot_date})" if snapshot_date else "Sign-off (no sign-off snapshot)"


def undated_text(record: Mapping[str, str]) -> str:
    """What an undated record says about its date: only what its provenance gives (never a made-up date)."""
    report = record.get("report") or ""
    return f"{UNDATED}: {NO_DATE}" + (f" (report {report})" if report else "")


def where_from(record: Mapping[str, str]) -> str:
    """Which date a record's date is: the VCD's last run, or the run of the report or source it names."""
    report, source = record.get("report") or "", record.get("source") or ""
    if report == VCD_REPORT or source.startswith(VCD_REPORT):
        return "VCD last run"
    named = report or source
    return f"last run in {named}" if named else "last run"


def not_run_text(word: str, date: str, record: Mapping[str, str]) -> str:
    """A result that is no run, with its date, says what the date is: "Not Executed on 2024-11-08 (VCD last run)";
    undated: "Not Executed, undated: no date in the data (report LDM-692)"."""
    if date:
        return f"{word} on {date} ({where_from(record)})"
    return f"{word}, {undated_text(record)}"
