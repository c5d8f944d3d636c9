"""Hand-written SVG charts (stacked bars, timeline, forecast history): no plotting library, every text escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

FONT = "font-family='system-ui, -apple-system, Segoe UI, Roboto, sans-serif'"
# Ink, axis and grid colours are fallbacks: trace.css sets them from the theme's variables through these classes,
# so the charts follow the light and dark modes (CSS rules override SVG presentation attributes).
INK_COLOR = "#1f2937"
AXIS_COLOR = "#4b5563"
GRID_COLOR = "#e5e7eb"
INK, AXIS, GRID = "trace-chart-ink", "trace-chart-axis", "trace-chart-grid"
# One colour per status or outcome word, shared with trace.css so badges and charts agree.
COLORS: dict[str, str] = {
    "verified": "#2e7d32",
    "passed": "#2e7d32",
    "completed": "#2e7d32",
    "traced directly": "#2e7d32",
    "passed with deviation": "#7cb342",
    "traced by children": "#7cb342",
    "partially run": "#f9a825",
    "not run": "#9e9e9e",
    "skipped": "#bdbdbd",
    "upcoming": "#1565c0",
    "failing": "#c62828",
    "failed": "#c62828",
    "error": "#6a1b9a",
    "overdue": "#c62828",
    "untraced": "#ef6c00",
    "descoped": "#cfd8dc",
    # Evidence (the VCD's categories) and sign-off (a requirement's roll-up), looked up in lower case.
    "fully verified": "#2e7d32",
    "partially verified": "#f9a825",
    "with failures": "#c62828",
    "not verified": "#9e9e9e",
    "not covered": "#ef6c00",
    "in verification": "#1565c0",
    "not started": "#9e9e9e",
}
SERIES_COLORS = ("#1e88e5", "#d81b60", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41", "#3949ab")


def color_for(word: str) -> str:
    return COLORS.get(word) or COLORS.get(word.lower(), "#90a4ae")


def luminance(color: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ink_on(fill: str) -> str:
    """White or dark ink, whichever reads better on the fill (counts printed inside bar segments)."""
    return max(("#ffffff", INK_COLOR), key=lambda ink: contrast(ink, fill))


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    label = escape(title)
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' class='trace-chart' viewBox='0 0 {width} {height}' "
        f"width='{width}' height='{height}' role='img' aria-label={quoteattr(title)} {FONT} font-size='12'>"
        f"<title>{label}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", role: str = INK, extra: str = "") -> str:
    """A label: `role` is a class of trace.css (INK, AXIS) or, for text on a coloured fill, a literal colour."""
    paint = (
        f"class='{role}' fill='{AXIS_COLOR if role == AXIS else INK_COLOR}'"
        if role in (INK, AXIS)
        else f"fill='{role}'"
    )
    return f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' {paint} {extra}>{escape(text)}</text>"


def _line(x1: float, x2: float, y1: float, y2: float, extra: str = "") -> str:
    return (
        f"<line class='{GRID}' x1='{x1:.1f}' x2='{x2:.1f}' y1='{y1:.1f}' y2='{y2:.1f}' stroke='{GRID_COLOR}' {extra}/>"
    )


def _legend(categories: Sequence[str], y: float, x0: float = 0) -> list[str]:
    parts, x = [], x0
    for category in categories:
        parts.append(f"<rect x='{x:.1f}' y='{y - 9:.1f}' width='10' height='10' rx='2' fill='{color_for(category)}'/>")
        parts.append(_text(x + 14, y, category))
        x += 22 + 6.5 * len(category)
    return parts


@dataclass(frozen=True)
class BarRow:
    """One stacked bar: a label and (category, count) segments."""

    label: str
    segments: Sequence[tuple[str, int]]


def stacked_bars(rows: Sequence[BarRow], title: str, width: int = 720) -> str:
    """Horizontal bars, each 100% wide, split by category; counts printed inside segments that have room."""
    label_width, bar_height, gap, top = 90, 24, 10, 8
    categories = [c for c in dict.fromkeys(c for row in rows for c, n in row.segments if n)]
    legend_rows = 1 + sum(6.5 * len(c) + 28 for c in categories) // (width - 10)
    plot_width = width - label_width - 50
    body: list[str] = []
    y = top
    for row in rows:
        total = sum(n for _, n in row.segments)
        body.append(_text(label_width - 8, y + bar_height / 2 + 4, row.label, "end"))
        x = float(label_width)
        if total == 0:
            body.append(
                f"<rect class='{GRID}' x='{x}' y='{y}' width='{plot_width}' height='{bar_height}' fill='{GRID_COLOR}'/>"
            )
        for category, count in row.segments:
            if not count:
                continue
            segment = plot_width * count / total
            tip = escape(f"{row.label}: {category} {count} of {total}")
            body.append(
                f"<rect x='{x:.1f}' y='{y}' width='{segment:.1f}' height='{bar_height}' "
                f"fill='{color_for(category)}'><title>{tip}</title></rect>"
            )
            if segment > 8 * len(str(count)) + 4:
                ink = ink_on(color_for(category))
                body.append(_text(x + segment / 2, y + bar_height / 2 + 4, str(count), "middle", ink))
            x += segment
        body.append(_text(label_width + plot_width + 6, y + bar_height / 2 + 4, str(total), role=AXIS))
        y += bar_height + gap
    legend_y = y + 12
    x, line = 0.0, 0
    for category in categories:
        step = 28 + 6.5 * len(category)
        if x + step > width and x > 0:
            x, line = 0.0, line + 1
        body += _legend([category], legend_y + 18 * line, x)
        x += step
    height = int(legend_y + 18 * max(line, legend_rows - 1) + 10)
    return _svg(width, height, title, body)


def _month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def shift(day: dt.date, days: int) -> dt.date:
    """`day` moved by `days`, held at the first or last day a date can hold (years 1 to 9999) instead of failing."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


# Months between ticks: from every month to every ten thousand years (year 1 to 9999 in at most 8 ticks).
TICK_STEPS = (1, 2, 3, 6, *(12 * years for years in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)))


def month_ticks(start: dt.date, end: dt.date, most: int = 8) -> tuple[list[dt.date], str]:
    """Month starts between start and end, spaced so that at most `most` are shown, and their label format."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = next((s for s in TICK_STEPS if months / s <= most), TICK_STEPS[-1])
    ticks = []
    index = start.year * 12 + start.month - 1
    index += -index % step
    # Never past December 9999, the last month a date can hold.
    while index // 12 <= dt.MAXYEAR:
        tick = dt.date(index // 12, index % 12 + 1, 1)
        if tick > end:
            break
        if tick >= start:
            ticks.append(tick)
        index += step
    return ticks, "%Y" if step % 12 == 0 else "%Y-%m"


def tick_label(tick: dt.date, form: str) -> str:
    """The tick's year ("%Y") or month ("%Y-%m"), zero-padded for every year (strftime's %Y is not, below 1000)."""
    return tick.isoformat()[:4] if form == "%Y" else tick.isoformat()[:7]


def _date_axis(
    start: dt.date, end: dt.date, x0: float, x1: float, y_top: float, y_bottom: float
) -> tuple[list[str], float, int]:
    """Vertical grid lines with date labels; returns them with the scale (pixels per day) and origin ordinal."""
    scale = (x1 - x0) / max((end - start).days, 1)
    parts: list[str] = []
    ticks, form = month_ticks(start, end)
    for tick in ticks:
        pos = x0 + (tick - start).days * scale
        parts.append(_line(pos, pos, y_top, y_bottom))
        parts.append(_text(pos, y_bottom + 14, tick_label(tick, form), "middle", AXIS))
    return parts, scale, start.toordinal()


@dataclass(frozen=True)
class TimelineItem:
    label: str
    when: dt.date
    state: str  # completed / overdue / upcoming


def timeline(items: Sequence[TimelineItem], today: dt.date, title: str, width: int = 720) -> str:
    """One row per milestone in date order, a dot at its date coloured by state, and a line at the build date."""
    label_width, row, top = 200, 18, 10
    dates = [i.when for i in items] + [today]
    start = _month_start(shift(min(dates), -31))
    end = shift(max(dates), 62)
    bottom = top + row * max(len(items), 1)
    body, scale, origin = _date_axis(start, end, label_width, width - 12, top - 4, bottom)
    for index, item in enumerate(items):
        y = top + row * index + row / 2
        x = label_width + (item.when.toordinal() - origin) * scale
        body.append(_text(label_width - 8, y + 4, item.label, "end"))
        body.append(_line(label_width, x, y, y))
        tip = escape(f"{item.label}: {item.when.isoformat()} ({item.state})")
        body.append(f"<circle cx='{x:.1f}' cy='{y}' r='5' fill='{color_for(item.state)}'><title>{tip}</title></circle>")
    today_x = label_width + (today.toordinal() - origin) * scale
    body.append(
        f"<line class='trace-chart-today' x1='{today_x:.1f}' x2='{today_x:.1f}' y1='{top - 6}' y2='{bottom}' "
        f"stroke='{INK_COLOR}' stroke-dasharray='4 3'/>"
    )
    anchor = "end" if today_x > width - 90 else "middle"
    body.append(_text(today_x, bottom + 28, f"build date {today.isoformat()}", anchor))
    body += _legend(["completed", "overdue", "upcoming"], bottom + 48)
    return _svg(width, int(bottom + 58), title, body)


@dataclass(frozen=True)
class ForecastSeries:
    label: str
    points: Sequence[tuple[dt.date, dt.date]]  # (when forecast, forecast date)


def forecast_history(
    series: Sequence[ForecastSeries], title: str, width: int = 720, height: int = 320, labelled: bool = False
) -> str:
    """Forecast date (y) against the date of each forecast (x): a rising line is a slipping milestone. `labelled`
    writes the first and the last forecast date beside their points."""
    left, right, top, bottom = 84, 16, 12 + (14 if labelled else 0), height - 40
    points = [p for s in series for p in s.points]
    if not points:
        return _svg(width, 40, title, [_text(0, 20, "No forecast history recorded.")])
    x_start = shift(_month_start(min(p[0] for p in points)), -15)
    x_end = shift(max(p[0] for p in points), 45)
    y_start = shift(_month_start(min(p[1] for p in points)), -30)
    y_end = shift(max(p[1] for p in points), 60)
    body, x_scale, x_origin = _date_axis(x_start, x_end, left, width - right, top, bottom)
    y_scale = (bottom - top) / max((y_end - y_start).days, 1)

    def y_of(day: dt.date) -> float:
        return bottom - (day - y_start).days * y_scale

    y_ticks, y_form = month_ticks(y_start, y_end, most=6)
    for tick in y_ticks:
        y = y_of(tick)
        body.append(_line(left, width - right, y, y))
        body.append(_text(left - 6, y + 4, tick_label(tick, y_form), "end", AXIS))
    body.append(
        _text(
            12,
            top + (bottom - top) / 2,
            "forecast date",
            "middle",
            AXIS,
            f"transform='rotate(-90 12 {top + (bottom - top) / 2:.1f})'",
        )
    )
    body.append(_text(left + (width - left - right) / 2, height - 4, "forecast made in", "middle", AXIS))
    for index, item in enumerate(series):
        color = SERIES_COLORS[index % len(SERIES_COLORS)]
        coords = [(left + (made.toordinal() - x_origin) * x_scale, y_of(due)) for made, due in item.points]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f"<polyline points='{path}' fill='none' stroke='{color}' stroke-width='2'/>")
        for (x, y), (made, due) in zip(coords, item.points, strict=True):
            tip = escape(f"{item.label}: forecast {due.isoformat()} as of {made.isoformat()}")
            body.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3.5' fill='{color}'><title>{tip}</title></circle>")
        if labelled and coords:
            ends = [(coords[0], item.points[0], "start")]
            if len(coords) > 1:
                ends.append((coords[-1], item.points[-1], "end"))
            for (x, y), (_, due), anchor in ends:
                body.append(_text(x + (-4 if anchor == "end" else 4), y - 8, due.isoformat(), anchor))
    svg = _svg(width, height, title, body)
    if len(series) > 1:
        svg += f"<p class='trace-chart-legend'>{''.join(_legend_html(series))}</p>"
    return svg


def _legend_html(series: Sequence[ForecastSeries]) -> list[str]:
    return [
        f"<span><span style='color:{SERIES_COLORS[i % len(SERIES_COLORS)]}'>\u25cf</span> {escape(s.label)}</span> "
        for i, s in enumerate(series)
    ]
