"""A duty's outcome: met on time or late, missed, open, overdue, not required."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fieldapp.core.victims_code.outcomes import duty_outcome

DUE = datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC)
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "closed_at", "now", "outcome"),
    [
        ("met", DUE, NOW, "met_on_time"),
        ("met", DUE + timedelta(seconds=1), NOW, "met_late"),
        ("met", None, NOW, "met_late"),
        ("missed", DUE, NOW, "missed"),
        ("not_required", None, NOW, "not_required"),
        ("open", None, NOW, "overdue"),
        ("open", None, DUE, "open"),
    ],
)
def test_outcomes(status: str, closed_at: datetime | None, now: datetime, outcome: str) -> None:
    assert duty_outcome(status, DUE, closed_at, now=now) == outcome


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown duty status"):
        duty_outcome("lost", DUE, None, now=NOW)
