"""Safe contact times: window checks and the next opening, across both clock changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldapp.core.victims_code.contact_times import is_within, next_opening, window_problems

WEEKDAYS = [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:00"}]


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_no_windows_means_any_time() -> None:
    assert is_within([], _utc(2026, 12, 6, 3))
    assert next_opening([], _utc(2026, 12, 6, 3)) == _utc(2026, 12, 6, 3)


def test_from_is_inside_and_to_is_outside_in_winter() -> None:
    assert is_within(WEEKDAYS, _utc(2026, 12, 7, 9))  # Monday 09:00 GMT
    assert not is_within(WEEKDAYS, _utc(2026, 12, 7, 17))
    assert not is_within(WEEKDAYS, _utc(2026, 12, 7, 8, 59))


def test_summer_windows_are_london_time_not_utc() -> None:
    # Monday 15 June 2026: 08:30 UTC is 09:30 BST, 16:30 UTC is 17:30 BST.
    assert is_within(WEEKDAYS, _utc(2026, 6, 15, 8, 30))
    assert not is_within(WEEKDAYS, _utc(2026, 6, 15, 16, 30))


def test_friday_evening_waits_for_monday_morning() -> None:
    assert next_opening(WEEKDAYS, _utc(2026, 12, 4, 18)) == _utc(2026, 12, 7, 9)


def test_the_opening_after_the_spring_change_is_an_hour_earlier_in_utc() -> None:
    # Saturday 28 March 2026 evening (GMT) -> Monday 30 March 09:00 BST = 08:00 UTC.
    assert next_opening(WEEKDAYS, _utc(2026, 3, 28, 20)) == _utc(2026, 3, 30, 8)


def test_the_opening_after_the_autumn_change_is_back_on_utc() -> None:
    # Friday 23 October 2026 18:00 BST -> Monday 26 October 09:00 GMT.
    assert next_opening(WEEKDAYS, _utc(2026, 10, 23, 17)) == _utc(2026, 10, 26, 9)


def test_a_window_starting_in_the_skipped_hour_opens_when_the_clocks_go_forward() -> None:
    night = [{"days": ["sun"], "from": "01:30", "to": "03:00"}]
    # Sunday 29 March 2026: 01:00 UTC the clocks jump from 01:00 GMT to 02:00 BST.
    assert next_opening(night, _utc(2026, 3, 28, 12)) == _utc(2026, 3, 29, 1)
    assert is_within(night, _utc(2026, 3, 29, 1))
    assert not is_within(night, _utc(2026, 3, 29, 0, 45))


def test_the_repeated_hour_in_october_is_inside_both_times() -> None:
    night = [{"days": ["sun"], "from": "01:00", "to": "02:00"}]
    # Sunday 25 October 2026: 01:30 BST (00:30 UTC) and 01:30 GMT (01:30 UTC).
    assert is_within(night, _utc(2026, 10, 25, 0, 30))
    assert is_within(night, _utc(2026, 10, 25, 1, 30))
    assert not is_within(night, _utc(2026, 10, 25, 2, 0))


def test_inside_a_window_the_opening_is_now_and_a_later_window_today_is_chosen() -> None:
    split = [
        {"days": ["sat"], "from": "10:00", "to": "11:00"},
        {"days": ["sat"], "from": "18:00", "to": "19:00"},
    ]
    saturday = _utc(2026, 12, 5, 10, 30)
    assert next_opening(split, saturday) == saturday
    assert next_opening(split, _utc(2026, 12, 5, 12)) == _utc(2026, 12, 5, 18)


def test_a_window_on_the_same_weekday_next_week_is_found() -> None:
    tuesdays = [{"days": ["tue"], "from": "09:00", "to": "10:00"}]
    assert next_opening(tuesdays, _utc(2026, 12, 8, 10)) == _utc(2026, 12, 15, 9)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_within(WEEKDAYS, datetime(2026, 12, 7, 9))


@pytest.mark.parametrize(
    ("window", "problem"),
    [
        ({"days": ["mon"], "from": "17:00", "to": "09:00"}, "before"),
        ({"days": ["mon"], "from": "09:00", "to": "09:00"}, "before"),
        ({"days": ["mon"], "from": "9:00", "to": "17:00"}, "HH:MM"),
        ({"days": ["mon"], "from": "24:00", "to": "24:30"}, "HH:MM"),
        ({"days": ["monday"], "from": "09:00", "to": "17:00"}, "days"),
        ({"days": [], "from": "09:00", "to": "17:00"}, "days"),
        ({"days": ["mon", "mon"], "from": "09:00", "to": "17:00"}, "repeat"),
        ({"days": ["mon"], "from": "09:00"}, "exactly"),
    ],
)
def test_malformed_windows_are_named_by_index(window: object, problem: str) -> None:
    good = WEEKDAYS[0]
    problems = window_problems([good, window])
    assert list(problems) == [1] and problem in " ".join(problems[1])


def test_at_most_seven_windows() -> None:
    assert 7 in window_problems(WEEKDAYS * 8)
    assert window_problems(WEEKDAYS * 7) == {}
