"""Creating duties from events: every duty the rules give each victim, and what events meet.

An event is read under the rule set in force when it happened. Recording it creates, for each
current victim, every duty the rules give (an opted-out victim's as not required, so the record
shows what would have been owed) and meets the open duties of the kinds it satisfies (a support
referral meets the referral duty the crime report created). A victim added after events gets
the duties still owed to them: not made moot by a later event nor already met, with the clock
counting from when they were added, under the rule set in force at the event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core import victims_code
from fieldapp.models import Case, ContactDuty, InvestigationEvent, Victim
from fieldapp.services.duties.lifecycle import (
    end_periodic_updates,
    opted_out_reason,
    stop_reason_of,
    timeline,
    timeline_key,
)

LATE_VICTIM = "(Victim added after the event: the clock counts from when they were added.)"


@dataclass
class DutyChanges:
    """What recording something did to the duties: those created and those it closed."""

    created: list[ContactDuty] = field(default_factory=list)
    changed: list[ContactDuty] = field(default_factory=list)


def _clocked(details: Mapping[str, Any], clock_from: datetime) -> dict[str, Any]:
    """An event's details with the moment of receipt, if it has one, moved to ``clock_from``."""
    moved = dict(details)
    if moved.get("received_at"):
        moved["received_at"] = clock_from.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return moved


def _new_duty(
    victim: Victim,
    event: InvestigationEvent,
    spec: victims_code.DutySpec,
    *,
    now: datetime,
    basis: str | None = None,
) -> ContactDuty:
    """A victim's duty from a rule; not required at once if the victim has opted out."""
    duty = ContactDuty(
        case_id=victim.case_id,
        victim_id=victim.id,
        event_id=event.id,
        kind=spec.kind,
        title=spec.title,
        due_at=spec.due_at,
        working_days=spec.working_days,
        ruleset_version=spec.ruleset_version,
        required_items=list(spec.required_items),
        basis=basis or spec.basis,
        clock_from=spec.clock_from,
        status="open",
        created_at=now,
        updated_at=now,
    )
    if victim.opted_out_at is not None:
        duty.status, duty.reason, duty.closed_at = "not_required", opted_out_reason(victim), now
    return duty


def _satisfied_kinds(event: InvestigationEvent) -> tuple[str, ...]:
    """The duty kinds an event meets, under the rule set in force when it happened."""
    return victims_code.satisfies(event.type, victims_code.ruleset_for(event.occurred_at))


def meet_by_event(duty: ContactDuty, event: InvestigationEvent, *, now: datetime) -> None:
    """Meet a duty by an event: the evidence is the event, on time if it happened by the due."""
    on_time = event.occurred_at <= duty.due_at
    duty.status, duty.met_by_event_id = "met", event.id
    what = event.type.replace("_", " ")
    duty.reason = f"Met {'on time' if on_time else 'late'} by the {what} event."
    duty.closed_at, duty.closed_by_id = event.occurred_at, event.recorded_by_id
    duty.updated_at = now


def _first_satisfying(kind: str, events: Iterable[InvestigationEvent]) -> InvestigationEvent | None:
    """The first of some events that meets a duty of this kind."""
    return next((event for event in events if kind in _satisfied_kinds(event)), None)


def _meet_open(
    session: Session, event: InvestigationEvent, victims: Sequence[Victim], now: datetime
) -> list[ContactDuty]:
    """Meet these victims' open duties of the kinds the event satisfies, owed by then."""
    kinds = _satisfied_kinds(event)
    if not kinds or not victims:
        return []
    met = list(
        session.scalars(
            select(ContactDuty)
            .join(InvestigationEvent, InvestigationEvent.id == ContactDuty.event_id)
            .where(
                ContactDuty.case_id == event.case_id,
                InvestigationEvent.occurred_at <= event.occurred_at,
                ContactDuty.victim_id.in_([victim.id for victim in victims]),
                ContactDuty.kind.in_(kinds),
                ContactDuty.status == "open",
            )
        )
    )
    for duty in met:
        meet_by_event(duty, event, now=now)
    return met


def duties_for_event(
    session: Session,
    event: InvestigationEvent,
    victims: Sequence[Victim],
    *,
    case: Case,
    earlier: Sequence[InvestigationEvent],
    witness_care_in_app: bool = True,
) -> DutyChanges:
    """Create each victim's duties for a new event, meet what it satisfies, stop periodic ones.

    ``case`` and the events already on it (``earlier``, as read before this one) come from the
    caller's read, so that recording an event reads the case's timeline once.
    """
    now = event.recorded_at
    changes = DutyChanges()
    changes.changed.extend(_meet_open(session, event, victims, now))
    events = sorted([*earlier, event], key=timeline_key)
    # Recorded late: an event already on the case may have met the new duty (a referral).
    after = [e for e in events if e.id != event.id and _after(e, event)]
    for victim in victims:
        for spec in victims_code.duties_for_event(
            event.type,
            event.occurred_at,
            event.details,
            enhanced_rights=victim.enhanced_rights,
            recipient_role=victim.recipient_role,
            witness_care_in_app=witness_care_in_app,
        ):
            duty = _new_duty(victim, event, spec, now=now)
            if duty.status == "open" and (met_by := _first_satisfying(spec.kind, after)):
                meet_by_event(duty, met_by, now=now)
            session.add(duty)
            changes.created.append(duty)
    session.flush()
    stopped = stop_reason_of(case, events)
    changes.changed.extend(end_periodic_updates(session, case.id, now=now, reason=stopped))
    session.flush()
    return changes


def _after(later: InvestigationEvent, event: InvestigationEvent) -> bool:
    """True when ``later`` happened at or after ``event``."""
    return later.occurred_at >= event.occurred_at


def _owed_specs(
    event: InvestigationEvent,
    victim: Victim,
    *,
    witness_care_in_app: bool,
) -> list[victims_code.DutySpec]:
    """The duties an earlier event gives a victim added now, under the rules of its day."""
    ruleset = victims_code.ruleset_for(event.occurred_at)
    return victims_code.recompute_duties(
        event.type,
        victim.created_at,
        _clocked(event.details, victim.created_at),
        enhanced_rights=victim.enhanced_rights,
        recipient_role=victim.recipient_role,
        witness_care_in_app=witness_care_in_app,
        ruleset_version=ruleset.version,
    )


def owed_to_new_victim(
    session: Session, victim: Victim, *, witness_care_in_app: bool = True
) -> list[ContactDuty]:
    """Create the duties still owed to a victim added after events on the case."""
    events = timeline(session, victim.case_id)
    created = []
    for index, event in enumerate(events):
        later = events[index + 1 :]
        moot = victims_code.superseded_by(event.type, victims_code.ruleset_for(event.occurred_at))
        if any(other.type in moot for other in later):
            continue
        for spec in _owed_specs(event, victim, witness_care_in_app=witness_care_in_app):
            fixed_and_past = spec.working_days is None and spec.due_at <= victim.created_at
            if fixed_and_past or spec.only_for_requester:
                continue
            if _first_satisfying(spec.kind, later) is not None:
                continue
            duty = _new_duty(
                victim, event, spec, now=victim.created_at, basis=f"{spec.basis} {LATE_VICTIM}"
            )
            session.add(duty)
            created.append(duty)
    session.flush()
    return created


def recompute_for_victim(session: Session, victim: Victim) -> list[ContactDuty]:
    """After enhanced rights change, recompute the victim's open event duties (same rule set)."""
    rows = session.execute(
        select(ContactDuty, InvestigationEvent)
        .join(InvestigationEvent, InvestigationEvent.id == ContactDuty.event_id)
        .where(ContactDuty.victim_id == victim.id, ContactDuty.status == "open")
    ).all()
    changed = []
    for duty, event in rows:
        clock_from = duty.clock_from or event.occurred_at
        specs = victims_code.recompute_duties(
            event.type,
            clock_from,
            _clocked(event.details, clock_from),
            enhanced_rights=victim.enhanced_rights,
            recipient_role=victim.recipient_role,
            ruleset_version=duty.ruleset_version,
        )
        spec = next((s for s in specs if s.kind == duty.kind), None)
        if spec is not None and spec.due_at != duty.due_at:
            duty.due_at, duty.working_days = spec.due_at, spec.working_days
            duty.updated_at = victim.updated_at
            changed.append(duty)
    return changed
