"""Server-rendered SVG bar charts (no JavaScript, no library): geometry here, markup in
templates/settlement/_bar_chart.html. The viewBox is phone-sized, so labels stay readable at
390 px; the chart scales with the page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language

WIDTH = 360
HEIGHT = 190
LEFT = 44  # room for the value axis labels
RIGHT = 6
TOP = 10
BOTTOM = 24  # room for the date labels


@dataclass(frozen=True)
class Segment:
    y: int
    height: int
    series: int


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    title: str
    segments: tuple[Segment, ...]


@dataclass
class BarChart:
    title: str
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[int, str]] = field(default_factory=list)  # (y, label)
    labels: list[tuple[float, str, str]] = field(default_factory=list)  # (x, label, anchor)
    legend: list[str] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM
    empty: bool = False


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ that is at least ``value`` (1 for 0)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def compact(value: int) -> str:
    """An axis label: 120000 → "12만" (Korean) or "120k"."""
    if get_language() == "ko":
        if value >= 100_000_000 and value % 10_000_000 == 0:
            return f"{value // 10_000_000 / 10:g}억"
        if value >= 10_000:
            return f"{value // 10_000:,}만" if value % 10_000 == 0 else f"{value / 10_000:.1f}만"
        return f"{value:,}"
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1_000:
        return f"{value / 1_000:g}k"
    return str(value)


def bar_chart(
    points: list[tuple[str, list[int]]],
    *,
    title: str,
    unit: str = "",
    legend: list[str] | None = None,
    short_label=lambda label: label,
) -> BarChart:
    """``points``: (label, [value of each stacked series]) in order."""
    chart = BarChart(title=title, legend=legend or [])
    top_value = max((sum(values) for _, values in points), default=0)
    ceiling = nice_ceiling(top_value)
    plot_height = chart.baseline - TOP
    slot = (chart.right_edge - LEFT) / max(len(points), 1)
    gap = min(2.0, slot * 0.2)
    for i, (label, values) in enumerate(points):
        x = LEFT + i * slot + gap / 2
        segments, base = [], chart.baseline
        for series, value in enumerate(values):
            height = round(value * plot_height / ceiling) if value else 0
            if value and height == 0:
                height = 1
            base -= height
            segments.append(Segment(base, height, series))
        total = sum(values)
        chart.bars.append(
            Bar(round(x, 2), round(slot - gap, 2), f"{label}: {total:,}{unit}", tuple(segments))
        )
    half = compact(ceiling // 2) if ceiling % 2 == 0 else f"{ceiling // 2}.5"  # 5 → "2.5"
    for fraction, label in ((0, "0"), (1, half), (2, compact(ceiling))):
        chart.ticks.append((chart.baseline - plot_height * fraction // 2, label))
    if points:
        picks = sorted({0, len(points) // 2, len(points) - 1})
        last = len(points) - 1
        for i in picks:
            if last and i == 0:  # the first label starts at its bar, the last ends at its bar
                x, anchor = LEFT, "start"
            elif last and i == last:
                x, anchor = chart.right_edge, "end"
            else:
                x, anchor = LEFT + (i + 0.5) * slot, "middle"
            chart.labels.append((round(x, 2), short_label(points[i][0]), anchor))
    chart.empty = top_value == 0
    return chart
