"""Chart geometry for server-drawn SVG: scales, ticks and bar positions, as plain numbers.

Templates draw the charts; this module only says where things go, so the arithmetic is tested
without a browser. Coordinates are SVG user units with the origin at the top left and y growing
downwards; they are rounded to one decimal place so the markup stays short and stable.

The colours are the Analysis Function's categorical palette, in its order: each has 3:1
contrast against white and against its neighbour in the list, so stacked neighbours stay
distinguishable. Charts never rely on colour alone: every series also gets a legend entry, and
bars carry their values as text where they fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Analysis Function categorical colours (dark blue, turquoise, dark pink, orange).
PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25")
#: The text colour readable on each palette colour (4.5:1 for the small value labels).
TEXT_ON = ("#FFFFFF", "#0B0C0C", "#FFFFFF", "#0B0C0C")
# A value label needs about this many units per character, plus padding, to fit inside a bar.
_CHAR_WIDTH = 7.5
_LABEL_PADDING = 6.0


def _round(value: float) -> float:
    """One decimal place: enough for a screen, short in the markup."""
    return round(value, 1)


def nice_step(maximum: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) that covers ``maximum`` in about ``ticks``."""
    if maximum <= 0:
        return 1.0
    rough = maximum / ticks
    power = 10 ** math.floor(math.log10(rough))
    for multiple in (1, 2, 5, 10):
        if rough <= multiple * power:
            return float(multiple * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def nice_ticks(maximum: float, ticks: int = 5, *, whole: bool = True) -> list[float]:
    """Tick values from 0 to a round top at or above ``maximum``; whole numbers for counts."""
    step = nice_step(maximum, ticks)
    if whole:
        step = max(step, 1.0)
    count = max(1, math.ceil(maximum / step)) if maximum > 0 else 1
    return [_round(step * index) for index in range(count + 1)]


def fits(value_text: str, width: float) -> bool:
    """Whether a value label fits inside a bar of this width."""
    return width >= len(value_text) * _CHAR_WIDTH + _LABEL_PADDING


def shorten(label: str, limit: int) -> str:
    """A label cut to ``limit`` characters with an ellipsis (the table beside keeps it whole)."""
    return label if len(label) <= limit else label[: max(limit - 1, 0)].rstrip() + "…"


@dataclass(frozen=True)
class Tick:
    """One gridline of a value axis: the value and where it is drawn (x or y)."""

    value: float
    position: float
    text: str


@dataclass(frozen=True)
class Segment:
    """One series' part of a stacked bar."""

    series: int
    value: int
    x: float
    width: float
    text_x: float  # the centre, where the value label goes
    show_value: bool


@dataclass(frozen=True)
class StackedBar:
    """One row of a horizontal stacked bar chart."""

    label: str
    total: int
    y: float
    height: float
    text_y: float  # the baseline of the row's labels, vertically centred
    segments: tuple[Segment, ...]
    total_x: float  # where the total is written, just right of the bar


@dataclass(frozen=True)
class StackedBarChart:
    """A horizontal stacked bar chart: one bar per group, one segment per series."""

    width: float
    height: float
    plot_left: float
    plot_width: float
    plot_top: float
    plot_bottom: float
    bars: tuple[StackedBar, ...]
    ticks: tuple[Tick, ...]


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[int]]],
    *,
    width: float = 640,
    label_width: float = 170,
    total_width: float = 50,
    bar_height: float = 26,
    gap: float = 12,
    axis_height: float = 28,
    label_limit: int = 18,  # about what 170 units hold at the labels' size
) -> StackedBarChart:
    """Lay out horizontal bars, each stacking its series' values left to right on one scale."""
    if any(value < 0 for _, values in rows for value in values):
        raise ValueError("stacked bars need counts of zero or more")
    top = max((sum(values) for _, values in rows), default=0)
    ticks = nice_ticks(top)
    scale_top = ticks[-1]
    plot_left, plot_width = label_width, width - label_width - total_width
    per_unit = plot_width / scale_top
    bars = []
    for index, (label, values) in enumerate(rows):
        y = gap + index * (bar_height + gap)
        x = plot_left
        segments = []
        for series, value in enumerate(values):
            segment_width = value * per_unit
            text = str(value)
            segments.append(
                Segment(
                    series=series,
                    value=value,
                    x=_round(x),
                    width=_round(segment_width),
                    text_x=_round(x + segment_width / 2),
                    show_value=value > 0 and fits(text, segment_width),
                )
            )
            x += segment_width
        bars.append(
            StackedBar(
                label=shorten(label, label_limit),
                total=sum(values),
                y=_round(y),
                height=bar_height,
                text_y=_round(y + bar_height / 2 + 4),
                segments=tuple(segments),
                total_x=_round(x + 6),
            )
        )
    plot_bottom = gap + len(rows) * (bar_height + gap)
    axis = tuple(Tick(value, _round(plot_left + value * per_unit), f"{value:g}") for value in ticks)
    return StackedBarChart(
        width=width,
        height=_round(plot_bottom + axis_height),
        plot_left=plot_left,
        plot_width=_round(plot_width),
        plot_top=0.0,
        plot_bottom=_round(plot_bottom),
        bars=tuple(bars),
        ticks=axis,
    )


@dataclass(frozen=True)
class Column:
    """One vertical bar of a percentage chart; ``value`` None is a gap with a note instead."""

    label: str
    value: float | None
    x: float
    width: float
    y: float
    height: float
    centre: float
    value_text: str
    value_y: float
    show_label: bool  # False where columns are too narrow to label each one
    show_value: bool


@dataclass(frozen=True)
class ColumnChart:
    """A vertical bar chart of percentages (0 to 100) over ordered categories such as weeks."""

    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    label_y: float
    columns: tuple[Column, ...]
    ticks: tuple[Tick, ...]


def percent_column_chart(
    values: Sequence[tuple[str, float | None]],
    *,
    width: float = 640,
    plot_height: float = 200,
    axis_width: float = 48,
    top_margin: float = 24,
    label_height: float = 32,
    gap_share: float = 0.3,
    no_value_text: str = "none",
) -> ColumnChart:
    """Lay out one column per category on a fixed 0 to 100 scale (so weeks compare honestly)."""
    if any(v is not None and not 0 <= v <= 100 for _, v in values):
        raise ValueError("percentages run from 0 to 100")
    plot_left, plot_right = axis_width, width - 8
    plot_top, plot_bottom = top_margin, top_margin + plot_height
    slot = (plot_right - plot_left) / max(len(values), 1)
    bar_width = slot * (1 - gap_share)
    widest = max((len(label) for label, _ in values), default=0)
    # Label every column if the labels fit side by side, else every second, third...
    label_every = max(1, math.ceil((widest * _CHAR_WIDTH + _LABEL_PADDING) / slot))
    value_fits = fits("100%", slot)
    columns = []
    for index, (label, value) in enumerate(values):
        x = plot_left + index * slot + (slot - bar_width) / 2
        height = 0.0 if value is None else plot_height * value / 100
        y = plot_bottom - height
        columns.append(
            Column(
                label=label,
                value=value,
                x=_round(x),
                width=_round(bar_width),
                y=_round(y),
                height=_round(height),
                centre=_round(x + bar_width / 2),
                value_text=no_value_text if value is None else f"{value:g}%",
                value_y=_round(y - 6),
                show_label=index % label_every == 0,
                show_value=value_fits,
            )
        )
    ticks = tuple(
        Tick(value, _round(plot_bottom - plot_height * value / 100), f"{value:g}%")
        for value in (0, 25, 50, 75, 100)
    )
    return ColumnChart(
        width=width,
        height=_round(plot_bottom + label_height),
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        label_y=_round(plot_bottom + 20),
        columns=tuple(columns),
        ticks=ticks,
    )
