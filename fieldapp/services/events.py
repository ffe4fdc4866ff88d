"""Investigation events: recording one creates, meets or stops the victims' Victims' Code duties."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, literal, select, true, union_all
from sqlalchemy.orm import Session

from fieldapp.core import victims_code
from fieldapp.errors import NotFound, ValidationFailed
from fieldapp.models import Case, InvestigationEvent, Victim
from fieldapp.models.base import utcnow
from fieldapp.services import audit, duties
from fieldapp.services.audit import AuditContext
from fieldapp.services.cases import require_case
from fieldapp.services.scope import require_found, scoped

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


def _case_victims_and_events(
    session: Session, context: AuditContext, case_id: uuid.UUID
) -> tuple[Case, list[Victim], list[InvestigationEvent]]:
    """The case in scope, its current victims and its timeline, in one read; else a 404.

    Victims and events are two lists of one case: each row carries the case and either one
    victim (side 1) or one event (side 2), so the rows number victims plus events, not their
    product.
    """
    side = union_all(select(literal(1).label("n")), select(literal(2).label("n"))).subquery()
    query = (
        select(Case, Victim, InvestigationEvent)
        .select_from(Case)
        .join(side, true())
        .outerjoin(
            Victim, and_(side.c.n == 1, Victim.case_id == Case.id, Victim.deleted_at.is_(None))
        )
        .outerjoin(InvestigationEvent, and_(side.c.n == 2, InvestigationEvent.case_id == Case.id))
        .where(Case.id == case_id)
        .order_by(
            InvestigationEvent.occurred_at, InvestigationEvent.recorded_at, InvestigationEvent.id
        )
    )
    rows = session.execute(scoped(query, context)).all()
    found = rows[0][0] if rows and rows[0][0].deleted_at is None else None
    case = require_found(
        session, context, found, resource_type="case", resource_id=case_id, message="No such case."
    )
    victims = [victim for _case, victim, _event in rows if victim is not None]
    return case, victims, [event for _case, _victim, event in rows if event is not None]


def _audit_recorded(
    session: Session,
    context: AuditContext,
    event: InvestigationEvent,
    changes: duties.DutyChanges,
) -> None:
    """Audit the event and the duties it created, and those whose status it changed, at once."""
    entries = [
        audit.Entry(audit.COLLECTION, RESOURCE, [str(event.id)]),
        audit.Entry(audit.COLLECTION, duties.RESOURCE, [str(d.id) for d in changes.created]),
    ]
    if changes.changed:
        changed = [str(d.id) for d in changes.changed]
        entries.append(audit.Entry(audit.ALTERATION, duties.RESOURCE, changed, ["status"]))
    audit.record_all(session, context, entries)


def _refusal(
    exc: victims_code.InvalidEventDetails | victims_code.NoRuleSetApplies,
) -> ValidationFailed:
    """The 422 for an event the rules cannot apply to (bad details, or too far back)."""
    if isinstance(exc, victims_code.InvalidEventDetails):
        return ValidationFailed(errors={f"details.{exc.field}": [str(exc)]})
    return ValidationFailed(
        errors={"occurred_at": ["No Victims' Code rules apply this far back (before 2021-04-01)."]}
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
    case, victims, earlier = _case_victims_and_events(session, context, case_id)
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
    try:
        changes = duties.duties_for_event(
            session,
            event,
            victims,
            case=case,
            earlier=earlier,
            witness_care_in_app=witness_care_in_app,
        )
    except (victims_code.InvalidEventDetails, victims_code.NoRuleSetApplies) as exc:
        session.rollback()
        raise _refusal(exc) from exc
    event.duties_created = len(changes.created)  # type: ignore[attr-defined]
    _audit_recorded(session, context, event, changes)
    session.flush()
    return event
