"""Record times written GOV.UK style, in UK time whatever the stored zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldapp.core.templating.dates import format_day, format_moment


def test_a_summer_time_moment_is_written_in_uk_time() -> None:
    assert format_moment(datetime(2026, 6, 4, 8, 32, tzinfo=UTC)) == "4 June 2026 at 9:32am"


def test_a_winter_afternoon_on_the_hour() -> None:
    assert format_moment(datetime(2026, 1, 15, 14, 0, tzinfo=UTC)) == "15 January 2026 at 2pm"


def test_welsh() -> None:
    moment = datetime(2026, 6, 4, 8, 32, tzinfo=UTC)
    assert format_moment(moment, "cy") == "4 Mehefin 2026 am 9:32yb"


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_moment(datetime(2026, 6, 4, 8, 32))


def test_the_day_alone_is_the_uk_day() -> None:
    assert format_day(datetime(2026, 6, 4, 23, 30, tzinfo=UTC)) == "5 June 2026"
