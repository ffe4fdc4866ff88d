"""Contact duties: what an investigation event obliges the police to do for a victim, and by when.

Deadlines are counted from the moment the event happened (``occurred_at``), never from the
moment it was typed in, under the rule set in force on that day or, when recomputing an open
duty, under the rule set version the duty recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from fieldapp.core.victims_code.errors import UnknownEventType
from fieldapp.core.victims_code.rulesets import (
    EVENT_TYPES,
    RuleSet,
    ruleset_by_version,
    ruleset_for,
)
from fieldapp.core.victims_code.working_days import (
    add_working_days,
    end_of_local_day,
    local_date,
    require_aware,
    working_day_on_or_after,
)


@dataclass(frozen=True)
class DutySpec:
    """A duty to contact a victim: what, by when, and under which rule set version."""

    kind: str
    title: str
    due_at: datetime
    working_days: int
    ruleset_version: str


def duty_under(
    ruleset: RuleSet, event_type: str, occurred_at: datetime, *, enhanced_rights: bool
) -> DutySpec | None:
    """The duty an event creates under one given rule set, or None if it creates none."""
    require_aware(occurred_at, "occurred_at")
    rule = ruleset.rule_for(event_type)
    if rule is None:
        return None
    days = rule.working_days(enhanced_rights=enhanced_rights)
    return DutySpec(
        kind=rule.kind,
        title=rule.title,
        due_at=add_working_days(occurred_at, days),
        working_days=days,
        ruleset_version=ruleset.version,
    )


def compute_duty(
    event_type: str,
    occurred_at: datetime,
    *,
    enhanced_rights: bool,
    rulesets: Sequence[RuleSet] | None = None,
) -> DutySpec | None:
    """The duty a new event creates under the rule set in force when it happened."""
    if event_type not in EVENT_TYPES:
        raise UnknownEventType(event_type)
    require_aware(occurred_at, "occurred_at")
    ruleset = ruleset_for(occurred_at, rulesets)
    return duty_under(ruleset, event_type, occurred_at, enhanced_rights=enhanced_rights)


def recompute_duty(
    event_type: str,
    occurred_at: datetime,
    *,
    enhanced_rights: bool,
    ruleset_version: str,
    rulesets: Sequence[RuleSet] | None = None,
) -> DutySpec | None:
    """An open duty recomputed (e.g. after enhanced rights change) under its recorded version."""
    if event_type not in EVENT_TYPES:
        raise UnknownEventType(event_type)
    ruleset = ruleset_by_version(ruleset_version, rulesets)
    return duty_under(ruleset, event_type, occurred_at, enhanced_rights=enhanced_rights)


def next_periodic_update(
    last_contact: datetime, frequency_days: int | None, *, ruleset: RuleSet
) -> datetime:
    """When the next agreed periodic update is due, as an aware UTC datetime.

    The interval is ``frequency_days`` calendar days, or the rule set's default interval when
    the victim agreed updates without a number of days. It is added to the London date of the
    last contact and the update is due at the end of that day. If that day is a weekend or bank
    holiday the update moves to the end of the next working day: a victim who agreed "every
    28 days" is never owed a call on a day the officer is not expected to be working.
    """
    require_aware(last_contact, "last_contact")
    interval = ruleset.default_update_interval_days if frequency_days is None else frequency_days
    if interval < 1:
        raise ValueError(f"frequency_days must be at least 1, got {interval}.")
    target = local_date(last_contact) + timedelta(days=interval)
    return end_of_local_day(working_day_on_or_after(target))
