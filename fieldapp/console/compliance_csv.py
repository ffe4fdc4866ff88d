"""The compliance figures as CSV: one row per group of every grouping, then the total.

Text cells go through ``core.spreadsheets.safe_cell`` so that no team or officer name can run
as a formula when the file is opened in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from fieldapp.core.spreadsheets import safe_row
from fieldapp.services.compliance import Counts
from fieldapp.services.compliance_figures import Figures

COUNT_FIELDS = (
    "due",
    "met_on_time",
    "met_late",
    "missed",
    "open",
    "overdue",
    "not_required",
    "met_on_time_by_claim",
)
HEADER = ("grouping", "key", "label", *COUNT_FIELDS, "on_time_percent")


def _counts(counts: Counts) -> list[object]:
    """The count cells of a row, then the on-time percentage (empty when there is none)."""
    percent = counts.on_time_percent
    return [*(getattr(counts, name) for name in COUNT_FIELDS), "" if percent is None else percent]


def figure_rows(figures: Figures) -> Iterator[list[object]]:
    """The header, every group's row (team, officer, event type, week), then the total."""
    yield list(HEADER)
    for grouping, rows in figures.groups.items():
        for row in rows:
            yield [grouping, row.key, row.label, *_counts(row)]
    for week_row in figures.weeks:
        if week_row.week is not None:
            week = week_row.week
            label = f"{week.first.isoformat()} to {week.last.isoformat()}"
            yield ["week", week.key, label, *_counts(week_row)]
    scope = str(figures.team_id) if figures.team_id else "all"
    yield ["total", scope, "Total", *_counts(figures.total)]


def figures_csv(figures: Figures) -> str:
    """The whole file, CRLF line ends (RFC 4180), every text cell safe to open."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in figure_rows(figures):
        writer.writerow(safe_row(row))
    return buffer.getvalue()


def filename(figures: Figures) -> str:
    """The download's file name: the range it covers."""
    return f"compliance-{figures.start.isoformat()}-to-{figures.end.isoformat()}.csv"
