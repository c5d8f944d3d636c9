"""Adds the observatory's next export to the records under results/: a sign-off snapshot, a VCD export, or a test
campaign. It writes only under results/ (never the Markdown under needs/) and never replaces a record it has.

  add_record.py signoff EXPORT.csv --date YYYY-MM-DD [--column STATUS_COLUMN]
      the tracker's VE export (columns ve_id, and the status column: `status`, or e.g. status_2025_07_16)
      -> results/signoff/YYYY-MM-DD.csv
  add_record.py vcd EXPORT.csv --date YYYY-MM-DD
      an LDM-692 VCD export (columns requirement ... test_case, last_run, last_status)
      -> results/vcd/LDM-692_YYYY-MM-DD.csv, and its test cases' last runs appended to the results CSV
  add_record.py campaign EXPORT.csv --plan LVV-Pn --cycle LVV-Rn --report DMTR-n
      a campaign's executions (columns test_case, execution, execution_status; no dates, as in a DMTR)
      -> appended, undated, to the results CSV

Exit status: 0 on success, 1 when the export cannot be taken (one message naming file and line), 2 on usage.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from pathlib import Path

from dmtrace.core.signoff import VE_STATUSES

ROOT = Path(__file__).resolve().parent.parent
RESULTS_CSV = "results/campaign_results.csv"
RESULTS_HEADER = ["test_case", "last_run", "status", "source", "execution", "plan", "cycle", "report"]
VCD_COLUMNS = ("requirement", "verification_element", "test_case", "last_run", "last_status")


class RecordError(Exception):
    """The export cannot be taken: the message names the file and line."""


def read_rows(path: Path, needed: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in needed if c not in (reader.fieldnames or [])]
            if missing:
                raise RecordError(f"{path}:1: missing column(s): {', '.join(missing)}")
            return [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise RecordError(f"{path}:1: cannot read: {err}") from err


def new_file(target: Path) -> None:
    if target.exists():
        raise RecordError(f"{target}:1: a record of that date exists already; records are never replaced")


def append_results(root: Path, rows: list[list[str]]) -> None:
    """Appends rows to the results CSV (keeping every record it has)."""
    path = root / RESULTS_CSV
    existing = path.read_text(encoding="utf-8") if path.is_file() else ",".join(RESULTS_HEADER) + "\n"
    header = existing.splitlines()[0].split(",")
    if header != RESULTS_HEADER:
        raise RecordError(f"{path}:1: the header is not {','.join(RESULTS_HEADER)}")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(existing + buffer.getvalue(), encoding="utf-8")


def add_signoff(root: Path, export: Path, date: dt.date, column: str) -> str:
    rows = read_rows(export, ("ve_id", column))
    lines = ["ve_id,status"]
    for line, row in rows:
        status = row[column]
        if status and status not in VE_STATUSES:
            raise RecordError(f"{export}:{line}: status {status!r} is not one of {', '.join(VE_STATUSES)}")
        if status:
            lines.append(f"{row['ve_id']},{status}")
    target = root / "results" / "signoff" / f"{date}.csv"
    new_file(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f"{target.relative_to(root)}: {len(lines) - 1} VE statuses"


def add_vcd(root: Path, export: Path, date: dt.date) -> str:
    rows = read_rows(export, VCD_COLUMNS)
    target = root / "results" / "vcd" / f"LDM-692_{date}.csv"
    new_file(target)
    last: dict[str, tuple[str, str]] = {}
    for line, row in rows:
        if row["test_case"]:
            seen = last.setdefault(row["test_case"], (row["last_run"], row["last_status"]))
            if seen != (row["last_run"], row["last_status"]):
                raise RecordError(f"{export}:{line}: {row['test_case']} has two different last runs")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(export.read_bytes())
    source = f"LDM-692 VCD {date}"
    append_results(root, [[t, when, word, source, "", "", "", "LDM-692"] for t, (when, word) in last.items()])
    return f"{target.relative_to(root)}; {len(last)} last runs appended to {RESULTS_CSV}"


def add_campaign(root: Path, export: Path, plan: str, cycle: str, report: str) -> str:
    rows = read_rows(export, ("test_case", "execution", "execution_status"))
    appended = [
        [r["test_case"], "", r["execution_status"], report, r["execution"], plan, cycle, report] for _, r in rows
    ]
    append_results(root, appended)
    return f"{len(appended)} undated executions of {plan} appended to {RESULTS_CSV}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("signoff", "vcd", "campaign"))
    parser.add_argument("export", type=Path)
    parser.add_argument("--date", type=dt.date.fromisoformat, help="the export's date (signoff, vcd)")
    parser.add_argument("--column", default="status", help="the status column of a sign-off export")
    parser.add_argument("--plan", default="", help="test plan LVV-Pn (campaign)")
    parser.add_argument("--cycle", default="", help="test cycle LVV-Rn (campaign)")
    parser.add_argument("--report", default="", help="test report DMTR-n (campaign)")
    parser.add_argument("--root", type=Path, default=ROOT, help="site root (default: this repository)")
    args = parser.parse_args(argv)
    if args.kind in ("signoff", "vcd") and args.date is None:
        parser.error(f"{args.kind} needs --date YYYY-MM-DD")
    if args.kind == "campaign" and not (args.plan and args.report):
        parser.error("campaign needs --plan and --report")
    try:
        if args.kind == "signoff":
            said = add_signoff(args.root, args.export, args.date, args.column)
        elif args.kind == "vcd":
            said = add_vcd(args.root, args.export, args.date)
        else:
            said = add_campaign(args.root, args.export, args.plan, args.cycle, args.report)
    except RecordError as err:
        print(f"add_record: {err}", file=sys.stderr)
        return 1
    print(f"added: {said}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
