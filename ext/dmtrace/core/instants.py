"""Dates and times of results records: ISO 8601 text read as one timezone-aware UTC instant, and shown back."""

from __future__ import annotations

import datetime as dt
import re

# The date forms a results file may use: ISO 8601 extended, a date or a date and time with an optional offset.
WHEN_FORMS = "YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.ffffff]] with an optional Z or ±HH:MM"
_WHEN = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?",
    re.ASCII,
)


def parse_when(value: str) -> tuple[dt.datetime | None, str]:
    """A results date as one timezone-aware UTC instant, and '' or why it is refused (then the instant is None).

    Naive times are UTC, and a date alone is the start of that day in UTC."""
    match = _WHEN.fullmatch(value)
    if match is None:
        return None, f"{value!r} is not an ISO 8601 date ({WHEN_FORMS})"
    zone = match["zone"] or "Z"
    try:
        day = dt.date.fromisoformat(match["date"])
        tz = dt.UTC
        if zone != "Z":
            hours, minutes = int(zone[1:3]), int(zone[4:6])
            if minutes > 59:
                raise ValueError(zone)
            # dt.timezone refuses offsets of 24 hours or more.
            tz = dt.timezone(dt.timedelta(hours=hours, minutes=minutes) * (-1 if zone[0] == "-" else 1))
        fraction = (match["fraction"] or "").ljust(6, "0")
        local = dt.datetime(
            day.year,
            day.month,
            day.day,
            int(match["hour"] or 0),
            int(match["minute"] or 0),
            int(match["second"] or 0),
            int(fraction),
            tzinfo=tz,
        )
    except ValueError:
        return None, f"{value!r} is not a valid date or time ({WHEN_FORMS})"
    try:
        return local.astimezone(dt.UTC), ""
    except OverflowError:
        return None, f"{value!r} falls outside the years 0001 to 9999 once converted to UTC"


def display_instant(instant: dt.datetime) -> str:
    """'YYYY-MM-DD HH:MM' in UTC, zero-padded for every year (strftime's %Y is not, below 1000)."""
    return f"{instant.year:04d}-{instant.month:02d}-{instant.day:02d} {instant.hour:02d}:{instant.minute:02d}"
