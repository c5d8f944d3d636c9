"""Sign-off: each verification element's status as the verification team recorded it, snapshot by snapshot, and
its roll-up to requirements by the rule of DMTR-412's summarizeCoverage.py."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from dmtrace.core.model import Violation

# The tracker's VE statuses, as recorded.
VE_STATUSES = ("Not Covered", "Covered", "In Verification", "Verified", "Monitoring", "Descoped")
NO_STATUS = "Not Covered"  # what a VE without a recorded status counts as
SIGNED_OFF = frozenset({"Verified", "Monitoring"})
SNAPSHOT_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})\.csv$")
SNAPSHOT_COLUMNS = ("ve_id", "status")


class SignOff(StrEnum):
    """A requirement's sign-off: the roll-up of its VEs' recorded statuses."""

    FULLY_VERIFIED = "Fully Verified"  # every VE Verified or Monitoring
    PARTIALLY_VERIFIED = "Partially Verified"  # some VE Verified or Monitoring
    IN_VERIFICATION = "In Verification"  # a VE In Verification or Covered, none verified
    NOT_STARTED = "Not Started"  # every VE Not Covered, or no VE at all
    DESCOPED = "Descoped"  # every VE Descoped


SIGNOFF_ORDER: tuple[SignOff, ...] = tuple(SignOff)


def roll_up(statuses: Iterable[str]) -> SignOff:
    """A requirement's sign-off from its VEs' statuses (descoped VEs count only when all are descoped)."""
    listed = list(statuses)
    if listed and all(status == "Descoped" for status in listed):
        return SignOff.DESCOPED
    active = [status for status in listed if status != "Descoped"]
    if not active:
        return SignOff.NOT_STARTED
    if all(status in SIGNED_OFF for status in active):
        return SignOff.FULLY_VERIFIED
    if any(status in SIGNED_OFF for status in active):
        return SignOff.PARTIALLY_VERIFIED
    if any(status in ("In Verification", "Covered") for status in active):
        return SignOff.IN_VERIFICATION
    return SignOff.NOT_STARTED


@dataclass(frozen=True)
class Snapshot:
    """One export of the tracker's VE statuses, dated by its file name (`YYYY-MM-DD.csv`)."""

    date: dt.date
    file: str
    statuses: dict[str, str]  # VE id -> recorded status
    lines: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass
class SignOffRecords:
    """Every snapshot, oldest first, and what could not be read."""

    snapshots: list[Snapshot] = field(default_factory=list)
    problems: list[Violation] = field(default_factory=list)

    def in_force(self, as_of: dt.date | None = None) -> Snapshot | None:
        """The latest snapshot dated on or before `as_of` (the latest of all without it)."""
        dated = [s for s in self.snapshots if as_of is None or s.date <= as_of]
        return dated[-1] if dated else None

    def history(self, ve_id: str) -> list[tuple[dt.date, str]]:
        """(snapshot date, recorded status) of one VE in every snapshot that records it, oldest first."""
        return [(s.date, s.statuses[ve_id]) for s in self.snapshots if ve_id in s.statuses]


def load_signoff(folder: Path, root: Path) -> SignOffRecords:
    """Reads every `YYYY-MM-DD.csv` snapshot in `folder` (columns ve_id,status); problems are located."""
    records = SignOffRecords()
    if not folder.is_dir():
        return records
    for path in sorted(folder.iterdir()):
        label = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        if path.suffix != ".csv":
            continue
        named = SNAPSHOT_NAME.match(path.name)
        try:
            date = dt.date.fromisoformat(named["date"]) if named else None
        except ValueError:
            date = None
        if date is None:
            records.problems.append(
                Violation(
                    label, 1, "", "a sign-off snapshot is named YYYY-MM-DD.csv, the date of the export", "trace.signoff"
                )
            )
            continue
        snapshot = Snapshot(date, label, {}, {})
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in SNAPSHOT_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                records.problems.append(
                    Violation(label, 1, "", f"missing column(s): {', '.join(missing)}", "trace.signoff")
                )
                continue
            for row in reader:
                ve_id, status = (row["ve_id"] or "").strip(), (row["status"] or "").strip()
                if status not in VE_STATUSES:
                    records.problems.append(
                        Violation(
                            label,
                            reader.line_num,
                            ve_id,
                            f"status {status!r} is not one of {', '.join(VE_STATUSES)}",
                            "trace.signoff",
                        )
                    )
                    continue
                snapshot.statuses[ve_id] = status
                snapshot.lines[ve_id] = reader.line_num
        records.snapshots.append(snapshot)
    records.snapshots.sort(key=lambda s: s.date)
    return records


@dataclass(frozen=True)
class SignOffState:
    """A requirement's or VE's sign-off as of one snapshot: the status word, the snapshot's date, and why."""

    status: str  # a VE's recorded status, or a requirement's SignOff
    date: dt.date | None  # the snapshot's date; None when no snapshot exists
    note: str = ""  # e.g. "no recorded status: counts as Not Covered"


def signoff_all(requirements: Mapping[str, list[str]], snapshot: Snapshot | None) -> dict[str, SignOffState]:
    """The sign-off of every requirement (`requirements`: id -> its VE ids) and of each of its VEs."""
    date = snapshot.date if snapshot else None
    recorded = snapshot.statuses if snapshot else {}
    states: dict[str, SignOffState] = {}
    for requirement, elements in requirements.items():
        for element in elements:
            if element in recorded:
                states[element] = SignOffState(recorded[element], date)
            else:
                states[element] = SignOffState(NO_STATUS, date, "no recorded status: counts as Not Covered")
        note = "" if elements else "no verification element: counts as Not Started"
        states[requirement] = SignOffState(roll_up(states[e].status for e in elements).value, date, note)
    return states
