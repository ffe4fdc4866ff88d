"""The worklist of contact duties: listing them (audited reads) and closing one by hand."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.errors import Conflict, PreconditionFailed
from fieldapp.models import Case, ContactDuty, InvestigationEvent, Victim
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.keyset import seek_after
from fieldapp.services.scope import deny, in_scope, scoped
from fieldapp.services.versions import commit_versioned

RESOURCE = "duty"
DutyRow = tuple[ContactDuty, Case, Victim, InvestigationEvent | None]


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
        query = query.where(seek_after(ContactDuty.due_at, ContactDuty.id, after))
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
