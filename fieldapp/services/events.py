"""Investigation events: recording one creates, meets or stops the victims' Victims' Code duties."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core import victims_code
from fieldapp.errors import NotFound, ValidationFailed
from fieldapp.models import InvestigationEvent, Victim
from fieldapp.models.base import utcnow
from fieldapp.services import audit, duties
from fieldapp.services.audit import AuditContext
from fieldapp.services.cases import require_case

RESOURCE = "event"
# Phones' clocks drift; an event may be stamped a little ahead of the server, not more.
FUTURE_TOLERANCE = timedelta(minutes=5)


def list_events(
    session: Session, context: AuditContext, *, case_id: uuid.UUID
) -> list[InvestigationEvent]:
    """A case's events, in the order they happened (each an audited read)."""
    require_case(session, context, case_id)
    found = list(
        session.scalars(
            select(InvestigationEvent)
            .where(InvestigationEvent.case_id == case_id)
            .order_by(InvestigationEvent.occurred_at, InvestigationEvent.id)
        )
    )
    audit.record(
        session,
        context,
        operation=audit.CONSULTATION,
        resource_type=RESOURCE,
        resource_ids=[str(e.id) for e in found],
    )
    session.commit()
    return found


def get_event(session: Session, context: AuditContext, event_id: uuid.UUID) -> InvestigationEvent:
    """One event on a case in scope (an audited read), or a 404."""
    event = session.get(InvestigationEvent, event_id)
    if event is None:
        raise NotFound("No such event.")
    require_case(session, context, event.case_id)
    audit.record(
        session,
        context,
        operation=audit.CONSULTATION,
        resource_type=RESOURCE,
        resource_ids=[str(event.id)],
    )
    session.commit()
    return event


def _duties_for(
    session: Session, event: InvestigationEvent, *, witness_care_in_app: bool
) -> duties.DutyChanges:
    """The current victims' duties for a new event; 422 when the rules cannot apply to it."""
    victims = list(
        session.scalars(
            select(Victim).where(Victim.case_id == event.case_id, Victim.deleted_at.is_(None))
        )
    )
    try:
        return duties.duties_for_event(
            session, event, victims, witness_care_in_app=witness_care_in_app
        )
    except victims_code.InvalidEventDetails as exc:
        session.rollback()
        raise ValidationFailed(errors={f"details.{exc.field}": [str(exc)]}) from exc
    except victims_code.NoRuleSetApplies as exc:
        session.rollback()
        raise ValidationFailed(
            errors={
                "occurred_at": ["No Victims' Code rules apply this far back (before 2021-04-01)."]
            }
        ) from exc


def _audit_recorded(
    session: Session,
    context: AuditContext,
    event: InvestigationEvent,
    changes: duties.DutyChanges,
) -> None:
    """Audit the event and the duties it created, and those whose status it changed."""
    created = {RESOURCE: [str(event.id)], duties.RESOURCE: [str(d.id) for d in changes.created]}
    for resource_type, ids in created.items():
        audit.record(
            session,
            context,
            operation=audit.COLLECTION,
            resource_type=resource_type,
            resource_ids=ids,
        )
    if changes.changed:
        audit.record(
            session,
            context,
            operation=audit.ALTERATION,
            resource_type=duties.RESOURCE,
            resource_ids=[str(d.id) for d in changes.changed],
            field_groups=["status"],
        )


def record_event(
    session: Session,
    context: AuditContext,
    *,
    case_id: uuid.UUID,
    data: Mapping[str, Any],
    witness_care_in_app: bool,
) -> InvestigationEvent:
    """Record an event and, in the same transaction, every duty it creates, meets or ends.

    Court-stage duties exist only when the force's Witness Care Unit uses the app.
    """
    require_case(session, context, case_id)
    now = utcnow()
    if data["occurred_at"] > now + FUTURE_TOLERANCE:
        raise ValidationFailed(errors={"occurred_at": ["This is in the future."]})
    event = InvestigationEvent(
        case_id=case_id,
        type=data["type"],
        occurred_at=data["occurred_at"],
        recorded_at=now,
        recorded_by_id=context.actor.user_id,
        details=dict(data.get("details") or {}),
    )
    session.add(event)
    session.flush()
    changes = _duties_for(session, event, witness_care_in_app=witness_care_in_app)
    event.duties_created = len(changes.created)  # type: ignore[attr-defined]
    _audit_recorded(session, context, event, changes)
    session.flush()
    return event
