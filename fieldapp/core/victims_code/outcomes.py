"""How one contact duty turned out, as the compliance figures count it.

``services.compliance.count_columns`` counts the same outcomes in SQL over many duties; this is
the rule for one duty in hand (a case page). A met duty counts on time when it was closed at or
before its deadline; one met without a closing time cannot prove it and counts as late. An open
duty is overdue once its deadline has passed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

MET_ON_TIME: Final = "met_on_time"
MET_LATE: Final = "met_late"
MISSED: Final = "missed"
OPEN: Final = "open"
OVERDUE: Final = "overdue"
NOT_REQUIRED: Final = "not_required"


def duty_outcome(
    status: str, due_at: datetime, closed_at: datetime | None, *, now: datetime
) -> str:
    """The outcome of one duty at ``now``: met on time or late, missed, open, overdue..."""
    if status == "met":
        return MET_ON_TIME if closed_at is not None and closed_at <= due_at else MET_LATE
    if status == "open":
        return OVERDUE if due_at < now else OPEN
    if status in (MISSED, NOT_REQUIRED):
        return status
    raise ValueError(f"unknown duty status: {status!r}")
