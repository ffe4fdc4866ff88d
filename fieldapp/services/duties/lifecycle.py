"""A duty's life after creation: periodic updates that stop and restart, opting out, erasure.

Periodic updates stop while the case is closed: from an event whose rules say it ends periodic
updates (``case_closed``, ``sentenced``, ...) until a later step in the investigation or the
prosecution (an event that owes the victim a key decision or court information). While updates
run, any update that told the victim something restarts the clock of their periodic duty.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from fieldapp.core import victims_code
from fieldapp.models import Case, ContactDuty, InvestigationEvent, Victim

PERIODIC_KIND = "periodic_update"
# Duties that mean the investigation or prosecution has moved on again after a closing event.
REOPENING_KINDS = frozenset({"key_decision", "court_information", "bail_views"})


def london_date(moment: datetime) -> str:
    """A moment as its London calendar date in words, e.g. '4 December 2026'."""
    day = moment.astimezone(victims_code.LONDON).date()
    return f"{day.day} {day:%B %Y}"


def timeline(session: Session, case_id: uuid.UUID) -> list[InvestigationEvent]:
    """A case's events in the order they happened (ties in the order they were recorded)."""
    return list(
        session.scalars(
            select(InvestigationEvent)
            .where(InvestigationEvent.case_id == case_id)
            .order_by(
                InvestigationEvent.occurred_at,
                InvestigationEvent.recorded_at,
                InvestigationEvent.id,
            )
        )
    )


def _reopens(event: InvestigationEvent) -> bool:
    """True when an event is a new step in the investigation or prosecution."""
    try:
        specs = victims_code.duties_for_event(
            event.type, event.occurred_at, event.details, enhanced_rights=False
        )
    except victims_code.VictimsCodeError:
        return False
    return any(spec.kind in REOPENING_KINDS for spec in specs)


def periodic_stop_reason(session: Session, case_id: uuid.UUID) -> str | None:
    """Why periodic updates are stopped on a case (it is closed), or None while they run."""
    return stop_reason_of(session.get(Case, case_id), timeline(session, case_id))


def stop_reason_of(case: Case | None, events: Sequence[InvestigationEvent]) -> str | None:
    """Why periodic updates are stopped, from the case and its timeline already read."""
    if case is not None and case.status == "closed":
        return "Not required: the case is marked closed."
    for event in reversed(events):
        ruleset = victims_code.ruleset_for(event.occurred_at)
        if victims_code.ends_periodic_updates(event.type, ruleset):
            what = event.type.replace("_", " ")
            return f"Not required: the case closed on {london_date(event.occurred_at)} ({what})."
        if _reopens(event):
            return None
    return None


def end_periodic_updates(
    session: Session, case_id: uuid.UUID, *, now: datetime, reason: str | None
) -> list[ContactDuty]:
    """If the case is closed (``reason`` says why), close its open periodic duties, saying why."""
    if reason is None:
        return []
    return _close(session, ContactDuty.case_id == case_id, PERIODIC_KIND, reason=reason, now=now)


def timeline_key(event: InvestigationEvent) -> tuple[datetime, datetime, uuid.UUID]:
    """Where an event stands in its case's timeline (the order ``timeline`` reads)."""
    return (event.occurred_at, event.recorded_at, event.id)


def _close(
    session: Session, where: ColumnElement[bool], kind: str | None, *, reason: str, now: datetime
) -> list[ContactDuty]:
    """Mark the open duties matching a condition (and kind) not required, with the reason."""
    query = select(ContactDuty).where(where, ContactDuty.status == "open")
    if kind is not None:
        query = query.where(ContactDuty.kind == kind)
    closed = list(session.scalars(query))
    for duty in closed:
        duty.status, duty.reason, duty.closed_at, duty.updated_at = "not_required", reason, now, now
    return closed


def _stopped(session: Session, victim: Victim) -> bool:
    """True when a victim is owed no periodic update: none agreed, opted out, erased or closed."""
    if victim.update_frequency_days is None or victim.deleted_at is not None:
        return True
    if victim.opted_out_at is not None:
        return True
    return periodic_stop_reason(session, victim.case_id) is not None


def _open_periodic(session: Session, victim: Victim) -> ContactDuty | None:
    """The victim's open periodic duty, if there is one."""
    return session.scalar(
        select(ContactDuty).where(
            ContactDuty.victim_id == victim.id,
            ContactDuty.kind == PERIODIC_KIND,
            ContactDuty.status == "open",
        )
    )


def schedule_periodic(session: Session, victim: Victim, *, now: datetime) -> ContactDuty | None:
    """Make sure a victim with agreed periodic updates has one open periodic duty, due from now.

    None, and no duty, while updates are stopped (none agreed, opted out, or the case closed).
    """
    if _stopped(session, victim):
        return None
    ruleset = victims_code.ruleset_for(now)
    due = victims_code.next_periodic_update(now, victim.update_frequency_days, ruleset=ruleset)
    existing = _open_periodic(session, victim)
    if existing is not None:
        existing.due_at, existing.clock_from, existing.updated_at = due, now, now
        return existing
    duty = ContactDuty(
        case_id=victim.case_id,
        victim_id=victim.id,
        kind=PERIODIC_KIND,
        title=f"Give the agreed update (every {victim.update_frequency_days} days)",
        due_at=due,
        ruleset_version=ruleset.version,
        required_items=[],
        basis="Right 6: updates as often as agreed with the victim, counted from the last update.",
        clock_from=now,
        status="open",
    )
    session.add(duty)
    return duty


def after_update(session: Session, victim: Victim, *, told_at: datetime) -> None:
    """An update told the victim something: their periodic clock restarts from ``told_at``.

    Only while updates run (agreed, not opted out, case not closed); an update recorded late
    never pulls the next one earlier than an update already counted.
    """
    if _stopped(session, victim):
        return
    session.flush()  # a periodic duty this update just met is no longer the open one
    existing = _open_periodic(session, victim)
    if existing is not None and existing.clock_from is not None and existing.clock_from > told_at:
        return
    schedule_periodic(session, victim, now=told_at)


def opted_out_reason(victim: Victim) -> str:
    """The reason an opted-out victim's duties are not required: when and how they said so."""
    when = london_date(victim.opted_out_at) if victim.opted_out_at else "an unknown date"
    how = (victim.opted_out_how or "how not recorded").replace("_", " ")
    return f"Not required: opted out on {when} ({how})."


def apply_opt_out(session: Session, victim: Victim, *, now: datetime) -> list[ContactDuty]:
    """After an opt-out change: an opted-out victim's open duties become not required (returned);
    a victim who opted back in gets their agreed periodic updates again."""
    if victim.opted_out_at is None:
        schedule_periodic(session, victim, now=now)
        return []
    return _close(
        session, ContactDuty.victim_id == victim.id, None, reason=opted_out_reason(victim), now=now
    )


def close_all_for_victim(session: Session, victim: Victim, *, reason: str, now: datetime) -> None:
    """Mark a victim's open duties not required (the caller audits and commits)."""
    _close(session, ContactDuty.victim_id == victim.id, None, reason=reason, now=now)
