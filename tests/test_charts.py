"""The hand-written SVG charts: well-formed XML, every text escaped, date ticks spaced sensibly."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from dmtrace.views.charts import (
    BarRow,
    ForecastSeries,
    TimelineItem,
    forecast_history,
    month_ticks,
    stacked_bars,
    timeline,
)

EVIL = "<script>alert('x')</script> & co"
SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter() if node.tag in (f"{SVG}text", f"{SVG}title")]


def test_stacked_bars_escape_labels_and_show_counts() -> None:
    svg = stacked_bars([BarRow(EVIL, [("verified", 3), ("failing", 1)])], f"title {EVIL}")
    assert "<script>" not in svg
    texts = _texts(svg)
    assert f"title {EVIL}" in texts and EVIL in texts
    assert "3" in texts and "4" in texts  # a segment count and the row total


def test_timeline_and_forecast_history_are_well_formed_and_escaped() -> None:
    today = dt.date(2026, 11, 25)
    svg = timeline([TimelineItem(EVIL, dt.date(2025, 2, 12), "overdue")], today, "Milestones")
    assert "<script>" not in svg and EVIL in _texts(svg)
    series = [
        ForecastSeries(
            EVIL, [(dt.date(2023, 10, 1), dt.date(2025, 1, 27)), (dt.date(2023, 12, 1), dt.date(2025, 2, 12))]
        )
    ]
    svg = forecast_history(series, "history")
    assert "<script>" not in svg
    ET.fromstring(svg)


def test_month_ticks_are_few_and_aligned() -> None:
    ticks, form = month_ticks(dt.date(2018, 1, 1), dt.date(2027, 3, 1))
    assert len(ticks) <= 8 and all(t.month == 1 for t in ticks) and form == "%Y"
    ticks, form = month_ticks(dt.date(2023, 9, 15), dt.date(2024, 3, 1))
    assert ticks[0] == dt.date(2023, 10, 1) and form == "%Y-%m"
