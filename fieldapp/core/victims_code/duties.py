"""Contact duties: what an investigation event obliges the police to do for a victim, and by when.

Deadlines are counted from the moment the event happened (``occurred_at``), never from the
moment it was typed in, or from the moment the rule data names (the Witness Care Unit's
``received_at``), or fall exactly at a moment the event gives (``decision_due_at``); see
``clocks.py``. A new event is judged by the rule set in force on its London date; an open duty
is recomputed under the rule set version it recorded.

``compute_duty`` and ``recompute_duty`` are the one-duty API of format 1, kept until every
caller uses ``duties_for_event`` / ``recompute_duties``: they give the event's first duty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fieldapp.core.victims_code.clocks import deadline
from fieldapp.core.victims_code.errors import (
    InvalidEventDetails,
    UnknownDutyKind,
    UnknownEventType,
)
from fieldapp.core.victims_code.event_rules import EVENT_TYPES
from fieldapp.core.victims_code.information import InformationItem
from fieldapp.core.victims_code.rulesets import RuleSet, ruleset_by_version, ruleset_for
from fieldapp.core.victims_code.working_days import (
    end_of_local_day,
    local_date,
    require_aware,
    working_day_on_or_after,
)

VICTIM = "victim"


@dataclass(frozen=True)
class DutySpec:
    """A duty to contact a victim: what, by when, why, and what the victim must be told."""

    kind: str
    title: str
    due_at: datetime
    working_days: int | None
    ruleset_version: str
    required_items: tuple[str, ...]
    basis: str  # the Code paragraph
    clock_from: datetime  # the moment the clock counts from
    only_for_requester: bool = False  # not owed to a victim added to the case later


def duties_under(
    ruleset: RuleSet,
    event_type: str,
    occurred_at: datetime,
    details: Mapping[str, Any],
    *,
    enhanced_rights: bool,
    recipient_role: str = VICTIM,
    witness_care_in_app: bool = True,
) -> list[DutySpec]:
    """The duties an event creates under one given rule set (none for an unused WCU stage)."""
    require_aware(occurred_at, "occurred_at")
    rule = ruleset.rule_for(event_type)
    if rule.witness_care and not witness_care_in_app:
        return []
    specs = []
    for duty in rule.duties:
        due = deadline(duty.clock, occurred_at, details, enhanced_rights=enhanced_rights)
        items = ruleset.items.for_role(duty.required_items, recipient_role)
        specs.append(
            DutySpec(
                kind=duty.kind,
                title=duty.title,
                due_at=due.due_at,
                working_days=due.working_days,
                ruleset_version=ruleset.version,
                required_items=tuple(item.id for item in items),
                basis=duty.basis,
                clock_from=due.clock_from,
                only_for_requester=duty.only_for_requester,
            )
        )
    return specs


def duties_for_event(
    event_type: str,
    occurred_at: datetime,
    details: Mapping[str, Any],
    *,
    enhanced_rights: bool,
    recipient_role: str = VICTIM,
    witness_care_in_app: bool = True,
    rulesets: Sequence[RuleSet] | None = None,
) -> list[DutySpec]:
    """The duties a new event creates for one victim, under the rule set in force on its date."""
    _require_event_type(event_type)
    require_aware(occurred_at, "occurred_at")
    return duties_under(
        ruleset_for(occurred_at, rulesets),
        event_type,
        occurred_at,
        details,
        enhanced_rights=enhanced_rights,
        recipient_role=recipient_role,
        witness_care_in_app=witness_care_in_app,
    )


def recompute_duties(
    event_type: str,
    occurred_at: datetime,
    details: Mapping[str, Any],
    *,
    enhanced_rights: bool,
    ruleset_version: str,
    recipient_role: str = VICTIM,
    witness_care_in_app: bool = True,
    rulesets: Sequence[RuleSet] | None = None,
) -> list[DutySpec]:
    """An event's duties recomputed (e.g. enhanced rights changed) under their recorded version."""
    _require_event_type(event_type)
    return duties_under(
        ruleset_by_version(ruleset_version, rulesets),
        event_type,
        occurred_at,
        details,
        enhanced_rights=enhanced_rights,
        recipient_role=recipient_role,
        witness_care_in_app=witness_care_in_app,
    )


def satisfies(event_type: str, ruleset: RuleSet) -> tuple[str, ...]:
    """The duty kinds an event itself meets (a support referral meets the referral duty)."""
    return ruleset.rule_for(event_type).satisfies


def ends_periodic_updates(event_type: str, ruleset: RuleSet) -> bool:
    """Whether an event ends the victim's periodic updates (the case is over for them)."""
    return ruleset.rule_for(event_type).ends_periodic_updates


def superseded_by(event_type: str, ruleset: RuleSet) -> tuple[str, ...]:
    """Later event types that make this event's duties moot for a victim added after them."""
    return ruleset.rule_for(event_type).superseded_by


def required_items(
    ruleset_version: str,
    event_type: str | None,
    kind: str,
    recipient_role: str,
    *,
    rulesets: Sequence[RuleSet] | None = None,
) -> tuple[InformationItem, ...]:
    """What a duty's message or contact must carry, as it applies to the recipient's role.

    A duty made by no event (a periodic update) has no required items: what it must say is
    the officer's note, checked when the message is written.
    """
    ruleset = ruleset_by_version(ruleset_version, rulesets)
    if event_type is None:
        return ()
    duty = ruleset.rule_for(event_type).duty(kind)
    if duty is None:
        raise UnknownDutyKind(ruleset_version, event_type, kind)
    return ruleset.items.for_role(duty.required_items, recipient_role)


def information_from(ruleset_version: str, event_type: str | None, kind: str) -> str | None:
    """The event type whose latest record gives a duty's message its data, if not the duty's own.

    A review's outcome is told for the duty that the request made, from the ``vrr_decided`` event.
    """
    if event_type is None:
        return None
    duty = ruleset_by_version(ruleset_version).rule_for(event_type).duty(kind)
    return None if duty is None else duty.information_from


def duty_under(
    ruleset: RuleSet, event_type: str, occurred_at: datetime, *, enhanced_rights: bool
) -> DutySpec | None:
    """The first duty an event creates under one rule set, or None (format-1 API)."""
    return _first(
        lambda: duties_under(ruleset, event_type, occurred_at, {}, enhanced_rights=enhanced_rights)
    )


def compute_duty(
    event_type: str,
    occurred_at: datetime,
    *,
    enhanced_rights: bool,
    rulesets: Sequence[RuleSet] | None = None,
) -> DutySpec | None:
    """The first duty a new event creates, or None (format-1 API; use duties_for_event)."""
    _require_event_type(event_type)
    return _first(
        lambda: duties_for_event(
            event_type, occurred_at, {}, enhanced_rights=enhanced_rights, rulesets=rulesets
        )
    )


def recompute_duty(
    event_type: str,
    occurred_at: datetime,
    *,
    enhanced_rights: bool,
    ruleset_version: str,
    rulesets: Sequence[RuleSet] | None = None,
) -> DutySpec | None:
    """The first duty recomputed under its recorded version (format-1 API; use recompute_duties)."""
    _require_event_type(event_type)
    return _first(
        lambda: recompute_duties(
            event_type,
            occurred_at,
            {},
            enhanced_rights=enhanced_rights,
            ruleset_version=ruleset_version,
            rulesets=rulesets,
        )
    )


def _first(compute: Callable[[], list[DutySpec]]) -> DutySpec | None:
    """The first duty of a format-1 call, which has no details: a duty due at a moment the
    details give (the victim's views before a bail decision) cannot be computed, so is None."""
    try:
        specs = compute()
    except InvalidEventDetails:
        return None
    return specs[0] if specs else None


def _require_event_type(event_type: str) -> None:
    """Refuse an event type the API does not know, before looking for a rule set."""
    if event_type not in EVENT_TYPES:
        raise UnknownEventType(event_type)


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
