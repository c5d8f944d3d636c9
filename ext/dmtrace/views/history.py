"""A test case's results on its card: the deciding record's line (last run, status as recorded, record) and the
execution history, one row per record, newest first, undated records last, each as its provenance gives it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dmtrace.views.labels import (
    EXECUTION_COLUMNS,
    HISTORY_ORDER,
    NO_DATE,
    NOT_RUN_OUTCOMES,
    UNDATED,
    field_label,
    not_run_text,
    undated_text,
)
from dmtrace.views.markup import text_html

Record = Mapping[str, str]
# The fields the result line and the history show; the card leaves them out of its plain field list.
RESULT_FIELDS = frozenset({"last_result", "last_run", "last_status", "last_record", "result_source", "executions"})


def records_of(need: Any) -> list[Record]:
    """The need's execution records (`executions`, oldest first and undated first, as needs.json has them)."""
    value = need.get("executions") or []
    return [record for record in value if isinstance(record, Mapping)]


def newest_first(records: Sequence[Record]) -> list[Record]:
    """Dated records newest first, then the undated ones in the order the files give them."""
    dated = [r for r in records if r.get("date")]
    return [*reversed(dated), *(r for r in records if not r.get("date"))]


def deciding_record(need: Any) -> Record:
    """The record the last result comes from (its date and status word), or what the card knows of it."""
    date, word = need.get("last_run") or "", need.get("last_status") or ""
    for record in reversed(records_of(need)):
        if (record.get("date") or "") == date and record.get("status") == word:
            return record
    return {"source": need.get("last_record") or ""}


def result_fields(need: Any) -> list[tuple[str, str]]:
    """(field, text) of a test case's result line; [] for a need that is not a test case."""
    outcome = need.get("last_result") or ""
    if not outcome:
        return []
    word, date = need.get("last_status") or "", need.get("last_run") or ""
    if not word:  # no record names the test case
        return [("last_result", f"{outcome} (no execution record)")]
    record = deciding_record(need)
    if outcome in NOT_RUN_OUTCOMES:
        shown = [("last_status", not_run_text(word, date, record))]
    else:
        shown = [("last_run", date or undated_text(record)), ("last_status", word)]
    shown += [(name, str(need.get(name))) for name in ("last_record", "result_source") if need.get(name)]
    return shown


def _date_cell(record: Record) -> str:
    date = record.get("date") or ""
    return text_html(date) if date else f'{UNDATED} <span class="needs_note">({NO_DATE})</span>'


def history_html(records: Iterable[Record]) -> str:
    """The execution history as a small table; columns no record fills are left out. "" without records."""
    rows = newest_first(list(records))
    if not rows:
        return ""
    columns = [
        (key, title) for key, title in EXECUTION_COLUMNS if key in ("date", "status") or any(r.get(key) for r in rows)
    ]
    count = f"{len(rows)} record{'s' if len(rows) != 1 else ''}"
    parts = [
        '<table class="needs_executions">\n',
        f"<caption>{field_label('executions')}: {count}, {text_html(HISTORY_ORDER)}</caption>\n",
        "<thead><tr>" + "".join(f"<th>{text_html(title)}</th>" for _, title in columns) + "</tr></thead>\n<tbody>\n",
    ]
    for record in rows:
        undated = "" if record.get("date") else ' class="needs_undated"'
        cells = [_date_cell(record), *(text_html(record.get(key) or "") for key, _ in columns[1:])]
        parts.append(f"<tr{undated}>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>\n")
    parts.append("</tbody>\n</table>\n")
    return "".join(parts)
