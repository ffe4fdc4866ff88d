"""What the compliance page shows: each table's labelled rows, and the charts that repeat them.

Every chart repeats a table on the page, so the page hides it from assistive technology; the
series names here label the legend, and the palette order gives each series its colour. The
geometry comes from ``core.charts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from fieldapp.core.charts import (
    PALETTE,
    TEXT_ON,
    ColumnChart,
    StackedBarChart,
    percent_column_chart,
    stacked_bar_chart,
)
from fieldapp.core.display_names import words
from fieldapp.core.templating.dates import as_london, format_time
from fieldapp.core.weeks import Week
from fieldapp.services.compliance import Counts, Row
from fieldapp.services.compliance_figures import Figures

#: The outcomes the stacked bars show, in stacking order, with their legend text.
OUTCOMES = (
    ("met_on_time", "Met on time"),
    ("met_late", "Met late"),
    ("missed", "Missed"),
    ("overdue", "Overdue (open, deadline passed)"),
)


@dataclass(frozen=True)
class Series:
    """One series of a chart: its legend text, fill colour and the text colour on that fill."""

    label: str
    colour: str
    text_colour: str


Labelled = list[tuple[str, Counts]]


@dataclass(frozen=True)
class Charts:
    """The compliance page's three charts and the series of its stacked bars."""

    series: tuple[Series, ...]
    by_team: StackedBarChart
    by_event_type: StackedBarChart
    trend: ColumnChart


def outcome_values(counts: Counts) -> list[int]:
    """A group's counts in stacking order."""
    return [getattr(counts, name) for name, _ in OUTCOMES]


def event_label(key: str) -> str:
    """An event type (or duty kind) as words: 'released_under_investigation' reads as such."""
    return words(key)


def day_text(day: date) -> str:
    """A day GOV.UK style, without the weekday: '1 March 2026'."""
    return f"{day.day} {day:%B %Y}"


def moment_text(moment: datetime) -> str:
    """An instant in UK time GOV.UK style: '10 March 2026 at 11:59pm'."""
    return f"{day_text(as_london(moment).date())} at {format_time(moment, 'en')}"


def week_label(week: Week) -> str:
    """A week as its ISO name and the days it covers: '2026-W11 (9 March to 15 March)'."""
    first, last = f"{week.first.day} {week.first:%B}", f"{week.last.day} {week.last:%B}"
    return f"{week.key} ({first})" if first == last else f"{week.key} ({first} to {last})"


def tables(figures: Figures) -> dict[str, Labelled]:
    """Each table's rows as (label, counts): by team, officer, event type and week."""
    groups = figures.groups
    return {
        "team": [(row.label, row) for row in groups["team"]],
        "officer": [(row.label, row) for row in groups["officer"]],
        "event_type": [(event_label(row.label), row) for row in groups["event_type"]],
        "week": [(week_label(row.week), row) for row in figures.weeks if row.week],
    }


def _stacked(rows: Sequence[Row], *, words: bool = False) -> StackedBarChart:
    """Stacked outcome bars, one per row."""
    return stacked_bar_chart(
        [(event_label(row.label) if words else row.label, outcome_values(row)) for row in rows]
    )


def compliance_charts(figures: Figures) -> Charts:
    """Lay out the page's charts from its figures."""
    series = tuple(
        Series(label, PALETTE[index], TEXT_ON[index]) for index, (_, label) in enumerate(OUTCOMES)
    )
    trend = percent_column_chart(
        [(row.week.short if row.week else "", row.on_time_percent) for row in figures.weeks]
    )
    return Charts(
        series=series,
        by_team=_stacked(figures.groups["team"]),
        by_event_type=_stacked(figures.groups["event_type"], words=True),
        trend=trend,
    )
