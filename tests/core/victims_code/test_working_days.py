"""Working days in Europe/London: weekends, England and Wales bank holidays, BST and GMT."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from fieldapp.core.victims_code import LONDON, add_working_days, is_working_day


def london(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A wall-clock time in London."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def test_friday_event_with_five_working_days_is_due_at_the_end_of_the_next_friday() -> None:
    due = add_working_days(london(2026, 6, 5, 14, 0), 5)
    assert due == datetime(2026, 6, 12, 22, 59, 59, 999999, tzinfo=UTC)


def test_deadline_is_the_last_microsecond_of_the_local_day_in_utc() -> None:
    due = add_working_days(london(2026, 1, 14, 9, 0), 1)
    assert due.tzinfo is UTC
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 1, 15, 23, 59, 59, 999999)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 24), True),
        (date(2026, 12, 25), False),  # Christmas Day, a Friday
        (date(2026, 12, 26), False),  # Boxing Day, a Saturday
        (date(2026, 12, 28), False),  # Boxing Day observed on the Monday
        (date(2026, 12, 29), True),
        (date(2027, 3, 26), False),  # Good Friday 2027
        (date(2027, 3, 29), False),  # Easter Monday 2027
        (date(2027, 3, 30), True),
        (date(2027, 12, 27), False),  # Christmas Day observed (25th is a Saturday)
        (date(2027, 12, 28), False),  # Boxing Day observed (26th is a Sunday)
    ],
)
def test_bank_holidays_and_their_observed_days_are_not_working_days(
    day: date, working: bool
) -> None:
    assert is_working_day(day) is working


def test_christmas_2026_bank_holidays_push_a_five_day_deadline_to_tuesday_29_december() -> None:
    # Mon 21, Tue 22, Wed 23, Thu 24, (Fri 25, Sat, Sun, Mon 28 observed), Tue 29.
    due = add_working_days(london(2026, 12, 18, 14, 0), 5)
    assert due == datetime(2026, 12, 29, 23, 59, 59, 999999, tzinfo=UTC)


def test_event_on_christmas_day_counts_from_the_next_working_day() -> None:
    due = add_working_days(london(2026, 12, 25, 11, 0), 1)
    assert due == datetime(2026, 12, 29, 23, 59, 59, 999999, tzinfo=UTC)


def test_saturday_event_with_one_working_day_is_due_at_the_end_of_monday() -> None:
    due = add_working_days(london(2026, 6, 6, 10, 0), 1)
    assert due == datetime(2026, 6, 8, 22, 59, 59, 999999, tzinfo=UTC)


def test_easter_2027_skips_good_friday_and_easter_monday() -> None:
    # Thursday before Easter; clocks also go forward on Sunday 28 March 2027.
    due = add_working_days(london(2027, 3, 25, 16, 0), 1)
    assert due == datetime(2027, 3, 30, 22, 59, 59, 999999, tzinfo=UTC)


def test_deadline_crossing_new_year_uses_the_next_years_bank_holidays() -> None:
    # Thursday 31 December 2026; Friday 1 January 2027 is New Year's Day.
    due = add_working_days(london(2026, 12, 31, 9, 0), 1)
    assert due == datetime(2027, 1, 4, 23, 59, 59, 999999, tzinfo=UTC)


def test_event_just_before_midnight_counts_from_that_day() -> None:
    due = add_working_days(london(2026, 1, 15, 23, 59), 1)  # Thursday
    assert due == datetime(2026, 1, 16, 23, 59, 59, 999999, tzinfo=UTC)


def test_event_just_after_midnight_counts_from_the_new_day() -> None:
    due = add_working_days(london(2026, 1, 16, 0, 1), 1)  # Friday
    assert due == datetime(2026, 1, 19, 23, 59, 59, 999999, tzinfo=UTC)


def test_event_at_half_past_midnight_bst_belongs_to_the_london_day_not_the_utc_day() -> None:
    # 23:30 UTC on Thursday 4 June 2026 is 00:30 BST on Friday 5 June.
    occurred_at = datetime(2026, 6, 4, 23, 30, tzinfo=UTC)
    due = add_working_days(occurred_at, 1)
    assert due == datetime(2026, 6, 8, 22, 59, 59, 999999, tzinfo=UTC)


def test_deadline_after_the_clocks_go_back_is_midnight_gmt() -> None:
    # Event in BST on Friday 23 October 2026; the clocks go back on Sunday 25 October.
    due = add_working_days(london(2026, 10, 23, 12, 0), 5)
    assert due == datetime(2026, 10, 30, 23, 59, 59, 999999, tzinfo=UTC)


def test_deadline_after_the_clocks_go_forward_is_midnight_bst() -> None:
    # Event in GMT on Friday 27 March 2026; the clocks go forward on Sunday 29 March.
    due = add_working_days(london(2026, 3, 27, 12, 0), 1)
    assert due == datetime(2026, 3, 30, 22, 59, 59, 999999, tzinfo=UTC)


def test_the_zone_the_event_is_given_in_does_not_change_the_deadline() -> None:
    in_london = london(2026, 6, 5, 14, 0)
    in_new_york = in_london.astimezone(ZoneInfo("America/New_York"))
    fixed_offset = in_london.astimezone(timezone(timedelta(hours=5, minutes=30)))
    expected = add_working_days(in_london, 5)
    assert add_working_days(in_new_york, 5) == expected
    assert add_working_days(fixed_offset, 5) == expected


def test_zero_working_days_is_the_end_of_the_same_working_day() -> None:
    assert add_working_days(london(2026, 6, 5, 9, 0), 0) == datetime(
        2026, 6, 5, 22, 59, 59, 999999, tzinfo=UTC
    )


def test_zero_working_days_from_a_weekend_is_the_end_of_the_next_working_day() -> None:
    assert add_working_days(london(2026, 6, 6, 9, 0), 0) == datetime(
        2026, 6, 8, 22, 59, 59, 999999, tzinfo=UTC
    )


def test_bank_holidays_are_known_for_years_far_ahead() -> None:
    assert not is_working_day(date(2040, 12, 25))
    assert is_working_day(date(2040, 12, 27))


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="days must be zero or more"):
        add_working_days(london(2026, 6, 5, 9, 0), -1)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="start must be a timezone-aware datetime"):
        add_working_days(datetime(2026, 6, 5, 9, 0), 1)
