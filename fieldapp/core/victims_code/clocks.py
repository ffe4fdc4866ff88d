"""Duty clocks: how the rule data says a deadline is counted, and the deadline it gives.

A clock is one of two shapes in ``rulesets.json``:

- ``{"working_days": {"standard": 5, "enhanced": 1}}``: working days counted from the event's
  ``occurred_at``; with ``"from": "<details field>"`` counted from a datetime in the event's
  details instead (the Witness Care Unit's clocks run from when it *received* the news,
  ``received_at``), falling back to ``occurred_at`` when the event does not give that field;
- ``{"due_at": "<details field>"}``: due exactly at a datetime the event gives (the victim's views
  on bail conditions are owed before the bail decision, ``decision_due_at``).

Working days follow ``working_days.add_working_days``: the London day of the clock's start is day
0 and the deadline is the end of the Nth working day after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fieldapp.core.victims_code.errors import InvalidEventDetails, InvalidRuleSet
from fieldapp.core.victims_code.validation import (
    json_object,
    only_keys,
    positive_int,
    snake_name,
    text,
)
from fieldapp.core.victims_code.working_days import add_working_days, require_aware

OCCURRED_AT = "occurred_at"
_DAY_KEYS = frozenset({"standard", "enhanced"})


@dataclass(frozen=True)
class Clock:
    """How one duty's deadline is counted: working days from a moment, or at a given moment."""

    standard_working_days: int | None = None
    enhanced_working_days: int | None = None
    counts_from: str = OCCURRED_AT
    due_at_field: str | None = None

    def working_days(self, *, enhanced_rights: bool) -> int | None:
        """The working days allowed, or None for a clock that is due at a given moment."""
        return self.enhanced_working_days if enhanced_rights else self.standard_working_days


@dataclass(frozen=True)
class Deadline:
    """A computed deadline: when it is due, how many working days, and when the clock started."""

    due_at: datetime
    working_days: int | None
    clock_from: datetime


def parse_clock(value: object, where: str) -> Clock:
    """A clock from its JSON object, refusing anything but the two documented shapes."""
    clock = json_object(value, where)
    if "due_at" in clock:
        only_keys(clock, {"due_at"}, where, required={"due_at"})
        return Clock(due_at_field=snake_name(text(clock, "due_at", where), "field", where))
    only_keys(clock, {"working_days", "from"}, where, required={"working_days"})
    days = json_object(clock["working_days"], f"{where}.working_days")
    only_keys(days, _DAY_KEYS, f"{where}.working_days", required=_DAY_KEYS)
    counts_from = text(clock, "from", where) if "from" in clock else OCCURRED_AT
    snake_name(counts_from, "field", where)
    standard = positive_int(days, "standard", f"{where}.working_days")
    enhanced = positive_int(days, "enhanced", f"{where}.working_days")
    if enhanced > standard:
        raise InvalidRuleSet(f"{where}: enhanced rights cannot allow more days than standard.")
    return Clock(standard, enhanced, counts_from)


def deadline(
    clock: Clock, occurred_at: datetime, details: Mapping[str, Any], *, enhanced_rights: bool
) -> Deadline:
    """The deadline a clock gives for one event, for a victim with or without enhanced rights."""
    require_aware(occurred_at, OCCURRED_AT)
    if clock.due_at_field is not None:
        due_at = details_moment(details, clock.due_at_field)
        if due_at is None:
            raise InvalidEventDetails(clock.due_at_field, "is required: the duty is due then.")
        return Deadline(due_at.astimezone(UTC), None, occurred_at.astimezone(UTC))
    start = occurred_at
    if clock.counts_from != OCCURRED_AT:
        start = details_moment(details, clock.counts_from) or occurred_at
    days = clock.working_days(enhanced_rights=enhanced_rights)
    assert days is not None  # a working-day clock always has both counts (parse_clock)
    return Deadline(add_working_days(start, days), days, start.astimezone(UTC))


def details_moment(details: Mapping[str, Any], field: str) -> datetime | None:
    """An aware datetime from event details (a datetime or an RFC 3339 string), or None."""
    value = details.get(field)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise InvalidEventDetails(field, f"is not a date and time: {value!r}.") from exc
    if not isinstance(value, datetime):
        raise InvalidEventDetails(field, f"is not a date and time: {value!r}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidEventDetails(field, "must say its time zone (for example end in Z).")
    return value
