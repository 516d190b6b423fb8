"""Charts as server-rendered SVG: no JavaScript library, no CDN, nothing to
vendor or keep patched, and every chart works with JavaScript off (ADR 0015).

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``
that states the numbers in words, and the pages put the same data in a
table, so screen readers get the figures, not a picture of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import count

from markupsafe import Markup, escape

_ids = count(1)
LEVEL_COLOURS = {
    "none": "#9aa4b1",
    "bronze": "#a8642a",
    "silver": "#7b8794",
    "gold": "#b8860b",
    "platinum": "#3b6fb6",
}


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[date | datetime, float | None]]
    css_class: str = "series-a"


def _fmt_x(value: date | datetime) -> str:
    return value.strftime("%Y-%m-%d")


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _x_value(value: date | datetime) -> float:
    """Seconds since the epoch (a day is its UTC midnight); only differences matter."""
    if isinstance(value, datetime):
        return value.timestamp()
    return (value.toordinal() - _EPOCH_ORDINAL) * 86400.0


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return float(step * 4)
    return float(value)


@dataclass(frozen=True)
class _Frame:
    """Maps data to pixels for one chart."""

    width: int
    height: int
    x_min: float
    x_max: float
    top: float
    pad_left: int = 44
    pad_right: int = 12
    pad_top: int = 12
    pad_bottom: int = 28

    @property
    def plot_w(self) -> float:
        return self.width - self.pad_left - self.pad_right

    @property
    def plot_h(self) -> float:
        return self.height - self.pad_top - self.pad_bottom

    def px(self, x: date | datetime) -> float:
        if self.x_max == self.x_min:
            return self.pad_left + self.plot_w / 2
        return self.pad_left + (_x_value(x) - self.x_min) / (self.x_max - self.x_min) * self.plot_w

    def py(self, y: float) -> float:
        return self.pad_top + self.plot_h - (min(max(y, 0.0), self.top) / self.top) * self.plot_h


def _svg(parts: list[str]) -> Markup:
    # Every piece of data-derived text above went through ``escape``; numbers
    # are formatted by us. This is the one place markup is assembled.
    return Markup("".join(parts))  # noqa: S704


def _describe(series: Sequence[Series]) -> str:
    descriptions = []
    for s in series:
        values = [(x, y) for x, y in s.points if y is not None]
        if values:
            descriptions.append(
                f"{s.name}: {values[0][1]:g} on {_fmt_x(values[0][0])}, "
                f"{values[-1][1]:g} on {_fmt_x(values[-1][0])}, "
                f"lowest {min(v for _, v in values):g}, highest {max(v for _, v in values):g}"
            )
    return "; ".join(descriptions) + "."


def _axes(frame: _Frame, first: date | datetime, last: date | datetime, y_label: str) -> list[str]:
    parts = []
    for i in range(5):
        value = frame.top * i / 4
        y = frame.py(value)
        parts.append(
            f'<line class="grid" x1="{frame.pad_left}" x2="{frame.width - frame.pad_right}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{frame.pad_left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{value:g}</text>"
        )
    bottom = frame.height - 8
    parts.append(
        f'<text class="axis" x="{frame.pad_left}" y="{bottom}">{_fmt_x(first)}</text>'
        f'<text class="axis" x="{frame.width - frame.pad_right}" y="{bottom}" text-anchor="end">'
        f"{_fmt_x(last)}</text>"
        f'<text class="axis" x="{frame.width / 2}" y="{bottom}" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )
    return parts


def _series(frame: _Frame, s: Series, max_point_titles: int) -> list[str]:
    parts = []
    segments: list[list[tuple[float, float]]] = [[]]
    for x, y in s.points:
        if y is None:
            segments.append([])
        else:
            segments[-1].append((frame.px(x), frame.py(y)))
    for segment in segments:
        if len(segment) == 1:
            cx, cy = segment[0]
            parts.append(f'<circle class="{s.css_class}" cx="{cx:.1f}" cy="{cy:.1f}" r="3"/>')
        elif segment:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            parts.append(f'<polyline class="line {s.css_class}" points="{path}"/>')
    values = [(x, y) for x, y in s.points if y is not None]
    shown = values if len(values) <= max_point_titles else values[-1:]
    for x, y in shown:
        parts.append(
            f'<circle class="dot {s.css_class}" cx="{frame.px(x):.1f}" cy="{frame.py(y):.1f}" '
            f'r="2.5"><title>{escape(s.name)} {_fmt_x(x)}: {y:g}</title></circle>'
        )
    return parts


def _legend(series: Sequence[Series], frame: _Frame) -> list[str]:
    parts = []
    x = float(frame.pad_left)
    for s in series:
        parts.append(
            f'<rect class="{s.css_class}" x="{x:.0f}" y="4" width="12" height="12"/>'
            f'<text class="axis" x="{x + 16:.0f}" y="14">{escape(s.name)}</text>'
        )
        x += 28 + 6.5 * len(s.name)
    return parts


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    y_label: str,
    y_max: float | None = None,
    width: int = 720,
    height: int = 220,
    max_point_titles: int = 200,
) -> Markup:
    """A line chart of one or more series over time."""
    chart_id = f"chart{next(_ids)}"
    parts: list[str] = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
    ]
    all_points = [(x, y) for s in series for x, y in s.points if y is not None]
    if not all_points:
        parts.append(f'<desc id="{chart_id}-d">No data yet.</desc>')
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" class="muted">'
            "No data yet</text></svg>"
        )
        return _svg(parts)
    xs = sorted(all_points, key=lambda p: _x_value(p[0]))
    frame = _Frame(
        width=width,
        height=height,
        x_min=_x_value(xs[0][0]),
        x_max=_x_value(xs[-1][0]),
        top=y_max if y_max is not None else _nice_max(max(y for _, y in all_points)),
        pad_top=26 if len(series) > 1 else 12,
    )
    parts.append(f'<desc id="{chart_id}-d">{escape(_describe(series))}</desc>')
    parts.extend(_axes(frame, xs[0][0], xs[-1][0], y_label))
    if len(series) > 1:
        parts.extend(_legend(series, frame))
    for s in series:
        parts.extend(_series(frame, s, max_point_titles))
    parts.append("</svg>")
    return _svg(parts)


def level_bar(counts: dict[str, int], *, width: int = 720, height: int = 28) -> Markup:
    """A stacked bar of services per level (the legend and a table sit beside it)."""
    total = sum(counts.values())
    chart_id = f"chart{next(_ids)}"
    words = ", ".join(f"{n} {name}" for name, n in counts.items())
    parts = [
        f'<svg class="levelbar" viewBox="0 0 {width} {height}" role="img" '
        'preserveAspectRatio="none" '
        f'aria-labelledby="{chart_id}-t"><title id="{chart_id}-t">Services by level: '
        f"{escape(words)}</title>"
    ]
    x = 0.0
    for name, n in counts.items():
        if not total or not n:
            continue
        w = n / total * width
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" '
            f'fill="{LEVEL_COLOURS.get(name, "#999")}"><title>{escape(name)}: {n}</title></rect>'
        )
        x += w
    parts.append("</svg>")
    return _svg(parts)


def sparkline(values: Sequence[float | None], *, width: int = 120, height: int = 28) -> Markup:
    """A tiny trend line for tables (decorative: the table has the number)."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return Markup()
    lo = min(v for _, v in points)
    hi = max(v for _, v in points)
    rng = (hi - lo) or 1.0
    n = max(len(values) - 1, 1)
    path = " ".join(
        f"{i / n * (width - 2) + 1:.1f},{height - 2 - (v - lo) / rng * (height - 4):.1f}"
        for i, v in points
    )
    return _svg(
        [
            f'<svg class="spark" viewBox="0 0 {width} {height}" aria-hidden="true" '
            f'focusable="false"><polyline points="{path}"/></svg>'
        ]
    )
