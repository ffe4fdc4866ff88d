"""Moments written out GOV.UK style, in UK time whatever the zone they come in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldapp.core.templating.dates import format_date_time


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 6, 4, 8, 32, tzinfo=UTC), "4 June 2026 at 9:32am"),  # BST
        (datetime(2026, 1, 4, 12, 0, tzinfo=UTC), "4 January 2026 at 12pm"),  # GMT
        (datetime(2026, 12, 31, 23, 5, tzinfo=UTC), "31 December 2026 at 11:05pm"),
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "29 March 2026 at 12:30am"),
    ],
)
def test_format_date_time_in_uk_time(moment: datetime, expected: str) -> None:
    assert format_date_time(moment) == expected


def test_format_date_time_in_welsh() -> None:
    moment = datetime(2026, 6, 4, 8, 32, tzinfo=UTC)
    assert format_date_time(moment, "cy") == "4 Mehefin 2026 am 9:32yb"


def test_format_date_time_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_date_time(datetime(2026, 6, 4, 9, 32))
