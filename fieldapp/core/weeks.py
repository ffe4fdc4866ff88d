"""ISO weeks (Monday to Sunday) covering a date range, each cut to the part inside the range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Week:
    """One ISO week, or the part of it inside a range: ``first`` and ``last`` are inclusive."""

    year: int
    number: int
    first: date
    last: date

    @property
    def key(self) -> str:
        """The ISO 8601 week name, such as ``2026-W11``."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def short(self) -> str:
        """A short label for a chart axis, such as ``W11``."""
        return f"W{self.number:02d}"

    @property
    def whole(self) -> bool:
        """Whether all seven days of the week are inside the range."""
        return (self.last - self.first).days == 6


def iso_weeks(start: date, end: date) -> list[Week]:
    """The ISO weeks that meet ``[start, end]`` in order, the first and last cut to the range."""
    weeks = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        year, number, _ = monday.isocalendar()
        weeks.append(Week(year, number, max(monday, start), min(monday + timedelta(days=6), end)))
        monday += timedelta(days=7)
    return weeks
