"""A milestone's state from its recorded dates: completed (which record decides), open or overdue against its
latest forecast, its baselines, slip and the planning history behind them; and which requirements it needs."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from dmtrace.core.model import (
    BASELINE_ENTRY,
    FORECAST_ENTRY,
    ISO_DATE,
    ISO_MONTH,
    PRIORITIES,
    RENAMED_ENTRY,
    REQUIREMENT_TYPES,
    Need,
)

# A milestone titled like "All P1a DM requirements verified" or "All 1a,1b DM requirements verified" is about
# every active requirement of those priorities, whether or not each one links to it.
SCOPE_TITLE = re.compile(
    r"\ball\s+(?P<priorities>(?:p?(?:1a|1b|2|3)\b[\s,/&]*(?:and\s+)?)+).*\brequirements\b", re.IGNORECASE
)
COMPLETED, OPEN, OVERDUE = "completed", "open", "overdue"
STATES = (OVERDUE, OPEN, COMPLETED)

# The rule the pages state: which completion date decides when the records give several.
DECIDING_RULE = (
    "The completion the planning system (PMCS) records under the milestone's own code decides; without one, the "
    "public record; without either, a completion the planning system records under a renamed code."
)


def parse_day(value: str, end_of_month: bool = True) -> dt.date | None:
    """An ISO date, or a YYYY-MM month read as its last day (due 'in' that month); None otherwise."""
    value = value.strip()
    try:
        if ISO_DATE.match(value):
            return dt.date.fromisoformat(value)
        if ISO_MONTH.match(value):
            year, month = int(value[:4]), int(value[5:])
            return dt.date(year, month, calendar.monthrange(year, month)[1] if end_of_month else 1)
    except ValueError:
        return None
    return None


# The planning snapshots' month names, as the records write them (not the machine's locale).
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_name(month: str) -> str:
    """'2024-02' -> 'February 2024' ('' stays '')."""
    day = parse_day(month, end_of_month=False) if ISO_MONTH.match(month) else None
    return f"{MONTH_NAMES[day.month - 1]} {day.year}" if day else month


@dataclass(frozen=True)
class PlanningDate:
    """One date a planning snapshot gives a milestone."""

    month: str  # YYYY-MM of the snapshot; '' for a baseline of unstated origin
    date: dt.date
    kind: str  # "baseline" or "forecast"
    code: str = ""  # the (renamed) code the snapshot lists it under; '' for its own id
    completed: bool = False  # the snapshot marks it completed: `date` is the completion

    def source(self, milestone_id: str) -> str:
        """'PMCS April 2025 forecast, as COMC-3280'."""
        where = f"PMCS {month_name(self.month)}" if self.month else "PMCS (snapshot not stated)"
        kind = "completion" if self.completed else self.kind
        return f"{where} {kind}" + (f", as {self.code}" if self.code and self.code != milestone_id else "")

    def as_json(self) -> dict[str, str | bool]:
        return {
            "month": self.month,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "code": self.code,
            "completed": self.completed,
        }


@dataclass(frozen=True)
class Completion:
    """A completion date and the record that gives it."""

    date: dt.date
    source: str


@dataclass(frozen=True)
class MilestoneFacts:
    """What the records say about one milestone, as of the build date."""

    id: str
    state: str  # completed / open / overdue
    actual: Completion | None  # the deciding completion
    other_completions: tuple[Completion, ...]  # further completion records (shown beside the deciding one)
    latest: PlanningDate | None  # an open milestone's latest date from the most recent snapshot having it
    history: tuple[PlanningDate, ...]  # every planning date, oldest snapshot first
    baselines: tuple[PlanningDate, ...]
    renamed: Mapping[str, str] = field(default_factory=dict)  # renamed code -> mapping confidence
    days: int | None = None  # open: days until (negative: since) the latest date; completed: None
    slip_days: int | None = None  # latest forecast or actual minus the earliest known date; None with one date
    late_days: int | None = None  # completed: actual minus the latest baseline in force before it; else None
    late_baseline: PlanningDate | None = None
    last_seen: str = ""  # the last snapshot month listing it, when the latest snapshot does not

    @property
    def shown_date(self) -> dt.date | None:
        """The actual date when completed, else the latest forecast or baseline."""
        return self.actual.date if self.actual else (self.latest.date if self.latest else None)

    def forecast_points(self) -> list[tuple[dt.date, dt.date]]:
        """(first day of the snapshot's month, the date it forecast) of each dated forecast: what a chart draws."""
        return [(_month_start(d.month), d.date) for d in self.history if d.month and d.kind == "forecast"]

    def distance(self) -> str:
        """'completed 2025-06-23', 'overdue by 12 days', 'due in 3 days', 'no date recorded'."""
        if self.actual:
            return f"completed {self.actual.date.isoformat()}"
        if self.days is None:
            return "no date recorded"
        if self.days < 0:
            return f"overdue by {-self.days} day{'s' if self.days != -1 else ''}"
        return "due today" if self.days == 0 else f"due in {self.days} day{'s' if self.days != 1 else ''}"


def planning_dates(milestone: Need) -> tuple[list[PlanningDate], list[PlanningDate]]:
    """(baselines, forecasts) from the `due`/`due_snapshot`, `rebaselined` and `forecast` fields; malformed
    entries are left out (the rules report them)."""
    baselines: list[PlanningDate] = []
    due = parse_day(milestone.get("due"))
    if due:
        snapshot = milestone.get("due_snapshot")
        baselines.append(PlanningDate(snapshot if ISO_MONTH.match(snapshot) else "", due, "baseline"))
    for entry in milestone.get("rebaselined").split():
        match = BASELINE_ENTRY.match(entry)
        day = parse_day(match["due"]) if match else None
        if match and day and parse_day(match["made"]):
            baselines.append(PlanningDate(match["made"], day, "baseline"))
    forecasts: list[PlanningDate] = []
    for entry in milestone.get("forecast").split():
        match = FORECAST_ENTRY.match(entry)
        day = parse_day(match["due"]) if match else None
        if match and day and parse_day(match["made"]):
            code = match["code"] or ""
            forecasts.append(PlanningDate(match["made"], day, "forecast", code, bool(match["done"])))
    return sorted(baselines, key=lambda d: d.month), sorted(forecasts, key=lambda d: d.month)


def renamed_codes(milestone: Need) -> dict[str, str]:
    """`renamed` as code -> confidence."""
    found = {}
    for entry in milestone.get("renamed").split():
        match = RENAMED_ENTRY.match(entry)
        if match:
            found[match["code"]] = match["confidence"]
    return found


def _completions(milestone: Need, forecasts: list[PlanningDate]) -> list[Completion]:
    """Every completion record, in the order of DECIDING_RULE (the first decides)."""
    found: list[Completion] = []
    own = parse_day(milestone.get("completed"))
    if own:
        found.append(Completion(own, "PMCS completion"))
    marked = [f for f in forecasts if f.completed]
    latest_own = [f for f in marked if not f.code or f.code == milestone.id]
    if latest_own and not own:
        found.append(Completion(latest_own[-1].date, latest_own[-1].source(milestone.id)))
    public = parse_day(milestone.get("actual_public"))
    if public:
        found.append(Completion(public, "public record, outside PMCS"))
    renamed = [f for f in marked if f.code and f.code != milestone.id]
    if renamed:
        found.append(Completion(renamed[-1].date, renamed[-1].source(milestone.id)))
    return found


def milestone_facts(milestone: Need, today: dt.date, latest_snapshot: str = "") -> MilestoneFacts:
    """The milestone's state on `today` from its fields; `latest_snapshot` (YYYY-MM) is the newest planning
    snapshot of the whole catalogue, for 'last seen in'."""
    baselines, forecasts = planning_dates(milestone)
    history = tuple(sorted([*baselines, *forecasts], key=lambda d: (d.month, d.kind)))
    completions = _completions(milestone, forecasts)
    actual = completions[0] if completions else None
    others = tuple(c for c in completions[1:] if c.date != (actual.date if actual else None))
    dated = [d for d in history if d.month]
    latest: PlanningDate | None = (dated or list(history))[-1] if history else None
    if actual:
        # Only dates planned before completion are a plan for it: a baseline reset afterwards is bookkeeping.
        planned = [d for d in history if d.month and _month_start(d.month) <= actual.date and not d.completed]
        in_force = [b for b in baselines if b.month and _month_start(b.month) <= actual.date]
        late_baseline = in_force[-1] if in_force else None
        late_days = (actual.date - late_baseline.date).days if late_baseline else None
        earliest = planned[0].date if planned else None
        slip = (actual.date - earliest).days if earliest else None
        state, days = COMPLETED, None
    else:
        planned = [d for d in history if not d.completed]
        late_baseline, late_days = None, None
        slip = (latest.date - planned[0].date).days if latest and len(planned) > 1 else None
        days = (latest.date - today).days if latest else None
        state = OVERDUE if days is not None and days < 0 else OPEN
    last_seen = ""
    seen = [f.month for f in forecasts]
    if seen and latest_snapshot and max(seen) < latest_snapshot:
        last_seen = max(seen)
    return MilestoneFacts(
        milestone.id,
        state,
        actual,
        others,
        None if actual else latest,
        history,
        tuple(baselines),
        renamed_codes(milestone),
        days,
        slip,
        late_days,
        late_baseline,
        last_seen,
    )


def _month_start(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def latest_snapshot(milestones: Iterable[Need]) -> str:
    """The newest planning snapshot month any milestone's forecast history has ('' when none has one)."""
    months = [f.month for m in milestones for f in planning_dates(m)[1]]
    return max(months, default="")


def scope_priorities(milestone: Need) -> list[str]:
    """The priorities a milestone's title claims ('All P1a DM requirements verified' -> ['1a'])."""
    return list(_title_scope(milestone.title))


@lru_cache(maxsize=4096)
def _title_scope(title: str) -> tuple[str, ...]:
    match = SCOPE_TITLE.search(title)
    if not match:
        return ()
    return tuple(p for p in PRIORITIES if re.search(rf"(?<![0-9]){p}\b", match["priorities"].lower()))


class NeededBy:
    """Which milestones need a requirement or VE: built once over the milestones, asked once per item."""

    def __init__(self, milestones: Iterable[Need]) -> None:
        ordered = list(milestones)
        self.order = {m.id: index for index, m in enumerate(ordered)}
        self.by_priority: dict[str, list[str]] = {}
        for milestone in ordered:
            for priority in scope_priorities(milestone):
                self.by_priority.setdefault(priority, []).append(milestone.id)

    def __call__(self, need: Need) -> list[tuple[str, str]]:
        """(milestone id, why), in the milestones' order: an explicit `milestone` link, or the milestone's scope
        ('all P1a') covering an active item of that priority."""
        if need.type not in REQUIREMENT_TYPES:
            return []
        linked = [t for t in need.targets("milestone") if t in self.order]
        scoped = self.by_priority.get(need.priority, []) if need.is_active else []
        found = []
        for milestone_id in sorted({*linked, *scoped}, key=self.order.__getitem__):
            reasons = (["linked"] if milestone_id in linked else []) + (
                [f"all P{need.priority}"] if milestone_id in scoped else []
            )
            found.append((milestone_id, ", ".join(reasons)))
        return found
