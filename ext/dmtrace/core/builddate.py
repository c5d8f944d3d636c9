"""The build's moment from `SOURCE_DATE_EPOCH`, so two builds of one commit can be compared byte for byte."""

from __future__ import annotations

import datetime as dt
import os


class SourceDateError(ValueError):
    """`SOURCE_DATE_EPOCH` is set but is not a whole number of seconds since 1970 within the calendar."""


def source_datetime() -> dt.datetime | None:
    """`SOURCE_DATE_EPOCH` as a UTC time, None when unset; SourceDateError when it cannot be read."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError) as err:
        raise SourceDateError(f"SOURCE_DATE_EPOCH = {epoch!r} is not a number of seconds since 1970") from err
