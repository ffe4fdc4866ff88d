"""What each investigation event means under one rule set: its duties and how it ends others.

In ``rulesets.json`` every event type of ``EVENT_TYPES`` has an entry under ``events``::

    "charged": {
      "duties": [{"kind": "key_decision", "title": "...", "clock": {...},
                  "basis": "Right 6 ... [S]", "required_items": ["charges", ...]}, ...],
      "satisfies": [],                 # duty kinds this event itself meets (vps_taken)
      "ends_periodic_updates": false,  # the case is over for the victim (sentenced)
      "superseded_by": ["sentenced"],  # later events that make its duties moot for a late victim
      "witness_care": false            # a court-stage event, told by the Witness Care Unit
    }

An event with no duties says why in ``"no_duty"`` instead, so that "no duty" is a decision and
never an omission. Only ``duties`` (or ``no_duty``) is required; the rest default to empty/false.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from fieldapp.core.victims_code.clocks import Clock, parse_clock
from fieldapp.core.victims_code.errors import InvalidRuleSet
from fieldapp.core.victims_code.validation import (
    flag,
    json_object,
    name_list,
    only_keys,
    snake_name,
    text,
)

# The investigation event types of the API; every rule set must say what each one means.
# New types are appended (contract for issue 12, section 1), never inserted.
EVENT_TYPES: tuple[str, ...] = (
    "crime_recorded",
    "support_referral",
    "not_investigated",
    "arrested",
    "interviewed",
    "bailed",
    "bail_varied",
    "released_under_investigation",
    "no_further_action",
    "out_of_court_resolution",
    "charged",
    "case_closed",
    "vrr_requested",
    "complaint_received",
    "bail_decision_pending",
    "bail_cancelled",
    "charged_by_postal_requisition",
    "youth_out_of_court_outcome",
    "vps_taken",
    "vrr_decided",
    "court_hearing_set",
    "hearing_result",
    "sentenced",
    "appeal_lodged",
    "appeal_outcome",
    "needs_assessed",
    "preferred_method_unavailable",
)

_EVENT_KEYS = frozenset(
    {"duties", "no_duty", "satisfies", "ends_periodic_updates", "superseded_by", "witness_care"}
)
_DUTY_KEYS = frozenset({"kind", "title", "clock", "basis", "required_items"})
# Optional: the event type whose latest record on the case gives the duty's message its data
# (a review's outcome is told from the vrr_decided event, the duty comes from vrr_requested).
# only_for_requester: the duty answers one person's own request or circumstances (a review
# request, a complaint, their preferred method), so a victim added to the case later is not owed it.
_OPTIONAL_DUTY_KEYS = frozenset({"information_from", "only_for_requester"})


@dataclass(frozen=True)
class DutyRule:
    """One contact duty an event creates: its kind, clock, basis in the Code and required items."""

    kind: str
    title: str
    clock: Clock
    basis: str
    required_items: tuple[str, ...]
    information_from: str | None = None
    only_for_requester: bool = False

    def working_days(self, *, enhanced_rights: bool) -> int | None:
        """The working days allowed, or None when the duty is due at a moment the event gives."""
        return self.clock.working_days(enhanced_rights=enhanced_rights)


@dataclass(frozen=True)
class EventRule:
    """Everything one event type means under a rule set."""

    duties: tuple[DutyRule, ...]
    no_duty: str | None = None
    satisfies: tuple[str, ...] = ()
    ends_periodic_updates: bool = False
    superseded_by: tuple[str, ...] = ()
    witness_care: bool = False

    def duty(self, kind: str) -> DutyRule | None:
        """The duty of a given kind this event creates, or None."""
        return next((rule for rule in self.duties if rule.kind == kind), None)


def parse_events(value: object, where: str, *, items: Collection[str]) -> dict[str, EventRule]:
    """Every event type's rule, in EVENT_TYPES order; duty kinds an event satisfies must exist."""
    events = json_object(value, where)
    if missing := [name for name in EVENT_TYPES if name not in events]:
        raise InvalidRuleSet(f"{where}: no rule for event types {missing}.")
    if unknown := sorted(set(events) - set(EVENT_TYPES)):
        raise InvalidRuleSet(f"{where}: unknown event types {unknown}.")
    rules = {name: _parse_event(events[name], f"{where}.{name}", items) for name in EVENT_TYPES}
    kinds = {duty.kind for rule in rules.values() for duty in rule.duties}
    for name, rule in rules.items():
        if unknown := sorted(set(rule.satisfies) - kinds):
            raise InvalidRuleSet(f"{where}.{name}: satisfies unknown duty kinds {unknown}.")
    return rules


def _parse_event(value: object, where: str, items: Collection[str]) -> EventRule:
    """One event type's rule."""
    entry = json_object(value, where)
    only_keys(entry, _EVENT_KEYS, where, required={"duties"})
    duties_value = entry["duties"]
    if not isinstance(duties_value, list):
        raise InvalidRuleSet(f"{where}: 'duties' must be a list.")
    duties = tuple(
        _parse_duty(
            json_object(duty, f"{where}.duties[{index}]"), f"{where}.duties[{index}]", items
        )
        for index, duty in enumerate(duties_value)
    )
    kinds = [duty.kind for duty in duties]
    if len(set(kinds)) != len(kinds):
        raise InvalidRuleSet(f"{where}: two duties of the same kind.")
    no_duty = text(entry, "no_duty", where) if "no_duty" in entry else None
    if (no_duty is None) == (not duties):
        raise InvalidRuleSet(f"{where}: give 'no_duty' (why) exactly when 'duties' is empty.")
    return EventRule(
        duties=duties,
        no_duty=no_duty,
        satisfies=name_list(entry, "satisfies", where),
        ends_periodic_updates=flag(entry, "ends_periodic_updates", where),
        superseded_by=name_list(entry, "superseded_by", where, allowed=EVENT_TYPES),
        witness_care=flag(entry, "witness_care", where),
    )


def _parse_duty(entry: Mapping[str, object], where: str, items: Collection[str]) -> DutyRule:
    """One duty: kind, worklist title, clock, the basis in the Code and the required items."""
    if isinstance(entry.get("kind"), str):
        where = f"{where} ({entry['kind']})"
    only_keys(entry, _DUTY_KEYS | _OPTIONAL_DUTY_KEYS, where, required=_DUTY_KEYS)
    kind = snake_name(text(entry, "kind", where), "kind", where)
    source = entry.get("information_from")
    if source is not None and source not in EVENT_TYPES:
        raise InvalidRuleSet(f"{where}: information_from {source!r} is not an event type.")
    return DutyRule(
        kind=kind,
        title=text(entry, "title", where),
        clock=parse_clock(entry["clock"], f"{where}.clock"),
        basis=text(entry, "basis", where),
        required_items=name_list(entry, "required_items", where, allowed=items),
        information_from=source if isinstance(source, str) else None,
        only_for_requester=flag(entry, "only_for_requester", where),
    )
