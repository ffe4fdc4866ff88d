"""Safe contact times: weekly windows in London time when a victim may be contacted.

A window is ``{"days": ["mon", ...], "from": "HH:MM", "to": "HH:MM"}``, local London wall-clock
time, ``from`` included and ``to`` excluded, within one day (``from`` before ``to``). An empty
list means any time. Clock changes: a window starting in the hour skipped in March opens when
the clocks go forward; a time in the hour repeated in October is inside the window both times.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fieldapp.core.victims_code.working_days import LONDON, require_aware

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_WINDOWS = 7
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_KEYS = frozenset({"days", "from", "to"})

Window = Mapping[str, Any]


def window_problems(windows: Sequence[Any]) -> dict[int, list[str]]:
    """What is wrong with each window, by its index (empty when all are well formed)."""
    problems: dict[int, list[str]] = {}
    if len(windows) > MAX_WINDOWS:
        problems[MAX_WINDOWS] = [f"At most {MAX_WINDOWS} windows."]
    for index, window in enumerate(windows[:MAX_WINDOWS]):
        found = _problems(window)
        if found:
            problems[index] = found
    return problems


def _problems(window: Any) -> list[str]:
    """What is wrong with one window."""
    if not isinstance(window, Mapping) or set(window) != _KEYS:
        return ["Give exactly days, from and to."]
    found: list[str] = []
    days = window["days"]
    if not isinstance(days, list) or not days or not all(d in DAYS for d in days):
        found.append(f"days must be a non-empty list of {', '.join(DAYS)}.")
    elif len(set(days)) != len(days):
        found.append("days must not repeat.")
    clocks = [window[k] for k in ("from", "to")]
    if not all(isinstance(c, str) and _CLOCK.fullmatch(c) for c in clocks):
        found.append("from and to must be times as HH:MM (24-hour).")
    elif clocks[0] >= clocks[1]:
        found.append("from must be before to (a window ends on the day it starts).")
    return found


def _clock(text: str) -> time:
    """An HH:MM wall-clock time."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def is_within(windows: Sequence[Window], at: datetime) -> bool:
    """Whether an aware moment falls inside a window (always true when there are no windows)."""
    require_aware(at, "at")
    if not windows:
        return True
    local = at.astimezone(LONDON)
    day, now = DAYS[local.weekday()], local.time().replace(tzinfo=None)
    return any(day in w["days"] and _clock(w["from"]) <= now < _clock(w["to"]) for w in windows)


def _opening(day: date, start: time) -> datetime:
    """The UTC instant a window opens on a London date, even in the hour skipped in March."""
    local = datetime.combine(day, start, tzinfo=LONDON)
    moment = local.astimezone(UTC)
    if moment.astimezone(LONDON).replace(tzinfo=None) == local.replace(tzinfo=None):
        return moment
    # A skipped wall-clock time: the window opens when the clocks jump past it.
    earlier = local.replace(fold=1).astimezone(UTC)
    step = earlier
    while step.astimezone(LONDON).time() < start and step < moment:
        step += timedelta(minutes=1)
    return step


def next_opening(windows: Sequence[Window], after: datetime) -> datetime:
    """``after`` itself if inside a window, else the UTC instant the next window opens."""
    if is_within(windows, after):
        return after
    first = after.astimezone(LONDON).date()
    openings = (
        _opening(first + timedelta(days=offset), _clock(w["from"]))
        for offset in range(8)
        for w in windows
        if DAYS[(first + timedelta(days=offset)).weekday()] in w["days"]
    )
    return min(moment for moment in openings if moment > after)
