"""Contact duties: created from events by the Victims' Code rules, listed as a worklist."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import literal, select, tuple_
from sqlalchemy.orm import Session

from fieldapp.core import victims_code
from fieldapp.errors import Conflict, PreconditionFailed
from fieldapp.models import Case, ContactDuty, InvestigationEvent, Victim
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.scope import deny, in_scope, scoped
from fieldapp.services.versions import commit_versioned

RESOURCE = "duty"
DutyRow = tuple[ContactDuty, Case, Victim, InvestigationEvent | None]
PERIODIC_KIND = "periodic_update"


def duties_for_event(
    session: Session, event: InvestigationEvent, victims: list[Victim]
) -> list[ContactDuty]:
    """Create each victim's duty for a new event (none if the rules say none)."""
    created = []
    for victim in victims:
        spec = victims_code.compute_duty(
            event.type, event.occurred_at, enhanced_rights=victim.enhanced_rights
        )
        if spec is None:
            continue
        duty = ContactDuty(
            case_id=event.case_id,
            victim_id=victim.id,
            event_id=event.id,
            kind=spec.kind,
            title=spec.title,
            due_at=spec.due_at,
            working_days=spec.working_days,
            ruleset_version=spec.ruleset_version,
            status="open",
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
        spec = victims_code.recompute_duty(
            event.type,
            event.occurred_at,
            enhanced_rights=victim.enhanced_rights,
            ruleset_version=duty.ruleset_version,
        )
        if spec is not None and spec.due_at != duty.due_at:
            duty.due_at, duty.working_days, duty.updated_at = (
                spec.due_at,
                spec.working_days,
                utcnow(),
            )
            changed.append(duty)
    return changed


def schedule_periodic(session: Session, victim: Victim, *, now: datetime) -> ContactDuty | None:
    """Make sure a victim with agreed periodic updates has one open periodic duty."""
    if victim.update_frequency_days is None:
        return None
    existing = session.scalar(
        select(ContactDuty).where(
            ContactDuty.victim_id == victim.id,
            ContactDuty.kind == PERIODIC_KIND,
            ContactDuty.status == "open",
        )
    )
    ruleset = victims_code.ruleset_for(now)
    due = victims_code.next_periodic_update(now, victim.update_frequency_days, ruleset=ruleset)
    if existing is not None:
        existing.due_at, existing.updated_at = due, now
        return existing
    duty = ContactDuty(
        case_id=victim.case_id,
        victim_id=victim.id,
        kind=PERIODIC_KIND,
        title=f"Give the agreed update (every {victim.update_frequency_days} days)",
        due_at=due,
        ruleset_version=ruleset.version,
        status="open",
    )
    session.add(duty)
    return duty


def close_all_for_victim(session: Session, victim: Victim, *, reason: str, now: datetime) -> None:
    """Mark a victim's open duties not required (the caller audits and commits)."""
    for duty in session.scalars(
        select(ContactDuty).where(ContactDuty.victim_id == victim.id, ContactDuty.status == "open")
    ):
        duty.status, duty.reason, duty.closed_at, duty.updated_at = "not_required", reason, now, now


def list_duties(
    session: Session,
    context: AuditContext,
    *,
    mine: bool,
    status: str | None,
    overdue: bool,
    case_id: uuid.UUID | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[DutyRow]:
    """The worklist, earliest deadline first (so overdue first); each duty shown is audited."""
    query = (
        select(ContactDuty, Case, Victim, InvestigationEvent)
        .join(Case, Case.id == ContactDuty.case_id)
        .join(Victim, Victim.id == ContactDuty.victim_id)
        .outerjoin(InvestigationEvent, InvestigationEvent.id == ContactDuty.event_id)
        .where(Case.deleted_at.is_(None), Victim.deleted_at.is_(None))
    )
    query = scoped(query, context)
    if mine:
        query = query.where(Case.officer_in_charge_id == context.actor.user_id)
    if status is not None:
        query = query.where(ContactDuty.status == status)
    if overdue:
        query = query.where(ContactDuty.status == "open", ContactDuty.due_at < utcnow())
    if case_id is not None:
        query = query.where(ContactDuty.case_id == case_id)
    if after is not None:
        # A row comparison, so the database can seek in the (status, due_at, id) order.
        stamp, last_id = after
        query = query.where(
            tuple_(ContactDuty.due_at, ContactDuty.id)
            > tuple_(literal(stamp, ContactDuty.due_at.type), literal(last_id, ContactDuty.id.type))
        )
    rows = session.execute(
        query.order_by(ContactDuty.due_at, ContactDuty.id).limit(limit + 1)
    ).all()
    found: list[DutyRow] = [(row[0], row[1], row[2], row[3]) for row in rows]
    audit.record(
        session,
        context,
        operation=audit.CONSULTATION,
        resource_type=RESOURCE,
        resource_ids=[str(duty.id) for duty, *_ in found[:limit]],
    )
    session.commit()
    return found


def close_duty(
    session: Session,
    context: AuditContext,
    *,
    duty_id: uuid.UUID,
    expected_version: int,
    changes: Mapping[str, Any],
) -> DutyRow:
    """Mark an open duty missed or not required, with the reason."""
    row = session.execute(
        select(ContactDuty, Case, Victim)
        .join(Case, Case.id == ContactDuty.case_id)
        .join(Victim, Victim.id == ContactDuty.victim_id)
        .where(ContactDuty.id == duty_id)
    ).first()
    if row is None or not in_scope(context.actor, row[1].team_id):
        deny(
            session,
            context,
            operation=audit.ALTERATION,
            resource_type=RESOURCE,
            resource_id=duty_id,
            message="No such duty.",
        )
    duty, case, victim = row
    if duty.version != expected_version:
        raise PreconditionFailed(extra={"current_version": duty.version})
    if duty.status != "open":
        raise Conflict(f"This duty is already {duty.status}.")
    now = utcnow()
    duty.status, duty.reason = changes["status"], changes["reason"].strip()
    duty.closed_at, duty.closed_by_id, duty.updated_at = now, context.actor.user_id, now
    audit.record(
        session,
        context,
        operation=audit.ALTERATION,
        resource_type=RESOURCE,
        resource_ids=[str(duty.id)],
        field_groups=["status"],
    )
    commit_versioned(session)
    event = session.get(InvestigationEvent, duty.event_id) if duty.event_id else None
    return duty, case, victim, event
