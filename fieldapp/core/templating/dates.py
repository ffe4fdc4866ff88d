"""Dates and times written out for a message's language, GOV.UK style, in UK time.

'Tuesday 3 March 2026' and '2:30pm'; in Welsh 'Dydd Mawrth 3 Mawrth 2026' and '2:30yp'.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

_DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "cy": (
        "Dydd Llun",
        "Dydd Mawrth",
        "Dydd Mercher",
        "Dydd Iau",
        "Dydd Gwener",
        "Dydd Sadwrn",
        "Dydd Sul",
    ),
}
_MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "cy": (
        "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
        "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
    ),
}  # fmt: skip
# Morning and afternoon suffixes: 10am, 2:30pm; in Welsh y bore / y prynhawn.
_MERIDIEM = {"en": ("am", "pm"), "cy": ("yb", "yp")}
_AT = {"en": "at", "cy": "am"}


def format_date(day: date, language: str) -> str:
    """A day written out GOV.UK style: 'Tuesday 3 March 2026', 'Dydd Mawrth 3 Mawrth 2026'."""
    weekday = _DAYS[language][day.weekday()]
    return f"{weekday} {day.day} {_MONTHS[language][day.month - 1]} {day.year}"


def format_time(moment: datetime, language: str) -> str:
    """A UK time written GOV.UK style: '10am', '2:30pm' (Welsh '10yb', '2:30yp')."""
    local = as_london(moment)
    return format_clock(local.hour, local.minute, language)


def format_date_time(moment: datetime, language: str = "en") -> str:
    """A UK moment GOV.UK style, weekday left out: '4 June 2026 at 9:32am' ('... am 9:32yb')."""
    local = as_london(moment)
    day = f"{local.day} {_MONTHS[language][local.month - 1]} {local.year}"
    return f"{day} {_AT[language]} {format_clock(local.hour, local.minute, language)}"


def format_clock(hour: int, minute: int, language: str) -> str:
    """A time of day written GOV.UK style: (19, 0) is '7pm', (7, 30) is '7:30am'."""
    twelve = hour % 12 or 12
    suffix = _MERIDIEM[language][hour >= 12]
    if minute:
        return f"{twelve}:{minute:02d}{suffix}"
    return f"{twelve}{suffix}"


def as_london(moment: datetime) -> datetime:
    """An aware datetime in UK time; a naive one is refused."""
    if moment.tzinfo is None:
        raise ValueError("merge data times must be timezone-aware")
    return moment.astimezone(LONDON)


def as_datetime(value: datetime | str) -> datetime:
    """A datetime from an RFC 3339 string or a datetime."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def as_date(value: date | str) -> date:
    """A date from 'YYYY-MM-DD' or a date."""
    return value if isinstance(value, date) else date.fromisoformat(value)
