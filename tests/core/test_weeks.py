"""ISO weeks over a range: Monday starts, year ends, and weeks cut short by the range."""

from __future__ import annotations

from datetime import date

from fieldapp.core.weeks import iso_weeks


def test_a_range_inside_one_week_is_one_partial_week() -> None:
    (week,) = iso_weeks(date(2026, 3, 11), date(2026, 3, 12))
    assert (week.key, week.short, week.first, week.last) == (
        "2026-W11", "W11", date(2026, 3, 11), date(2026, 3, 12)
    )  # fmt: skip
    assert not week.whole


def test_weeks_run_monday_to_sunday_and_the_ends_are_cut_to_the_range() -> None:
    weeks = iso_weeks(date(2026, 3, 1), date(2026, 3, 31))  # a Sunday to a Tuesday
    assert [w.key for w in weeks] == ["2026-W09", "2026-W10", "2026-W11", "2026-W12",
                                      "2026-W13", "2026-W14"]  # fmt: skip
    assert (weeks[0].first, weeks[0].last) == (date(2026, 3, 1), date(2026, 3, 1))
    assert (weeks[1].first, weeks[1].last, weeks[1].whole) == (
        date(2026, 3, 2), date(2026, 3, 8), True
    )  # fmt: skip
    assert (weeks[-1].first, weeks[-1].last) == (date(2026, 3, 30), date(2026, 3, 31))


def test_iso_week_years_differ_from_calendar_years_at_new_year() -> None:
    weeks = iso_weeks(date(2026, 12, 28), date(2027, 1, 4))
    assert [w.key for w in weeks] == ["2026-W53", "2027-W01"]
    assert iso_weeks(date(2024, 12, 30), date(2024, 12, 31))[0].key == "2025-W01"


def test_a_leap_year_has_at_most_fifty_four_partial_weeks() -> None:
    assert len(iso_weeks(date(2024, 1, 1), date(2024, 12, 31))) == 53
