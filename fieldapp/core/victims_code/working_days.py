"""Working-day arithmetic in Europe/London, skipping weekends and England and Wales bank holidays.

A working day is a Monday to Friday that is not a bank holiday in England (the `holidays`
package's ``GB``/``ENG`` calendar; England and Wales share their bank holidays). Deadlines fall at
the very end of a local day, 23:59:59.999999 in London, and are returned as aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")

_ONE_DAY = timedelta(days=1)


def require_aware(moment: datetime, name: str) -> None:
    """Refuse a naive datetime: a deadline needs to know which instant the event happened."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{name} must be a timezone-aware datetime (for example in UTC), got naive {moment}."
        )


def local_date(moment: datetime) -> date:
    """The calendar date in London on which an aware moment falls."""
    require_aware(moment, "moment")
    return moment.astimezone(LONDON).date()


def end_of_local_day(day: date) -> datetime:
    """The last microsecond of a London calendar day, as an aware UTC datetime."""
    return datetime.combine(day, time.max, tzinfo=LONDON).astimezone(UTC)


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in one year, computed once per year."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    """Whether a date is a working day: Monday to Friday and not a bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_day_on_or_after(day: date) -> date:
    """The given date if it is a working day, otherwise the next working day."""
    while not is_working_day(day):
        day += _ONE_DAY
    return day


def add_working_days(start: datetime, days: int) -> datetime:
    """The end of the Nth working day after the London date of ``start``, as aware UTC.

    Convention: the day on which the event happened is day 0, whatever the time of day, and the
    deadline is the end (23:59:59.999999 London time) of the ``days``-th working day after it.
    Only working days are counted, so an event on a Saturday, Sunday or bank holiday counts from
    the next working day: with 1 working day, a Friday event and a Saturday event are both due at
    the end of Monday. The date is taken in Europe/London, so 00:30 BST on a Friday (23:30 UTC on
    Thursday) is a Friday event. With ``days == 0`` the deadline is the end of the event's own day
    if it is a working day, otherwise the end of the next working day.
    """
    require_aware(start, "start")
    if days < 0:
        raise ValueError(f"days must be zero or more, got {days}.")
    day = local_date(start)
    if days == 0:
        return end_of_local_day(working_day_on_or_after(day))
    counted = 0
    while counted < days:
        day += _ONE_DAY
        if is_working_day(day):
            counted += 1
    return end_of_local_day(day)
