"""Cases, scoped to the caller's team (admins see all); everything read or changed is audited."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fieldapp.errors import Conflict, PreconditionFailed, ValidationFailed
from fieldapp.models import Case, User
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.keyset import seek_after
from fieldapp.services.scope import in_scope, require_found, scoped
from fieldapp.services.versions import commit_versioned

RESOURCE = "case"
# Field groups named in audit records for changes (never the values themselves).
FIELD_GROUPS = {"offence": "offence", "status": "status", "officer_in_charge_id": "allocation"}


def list_cases(
    session: Session,
    context: AuditContext,
    *,
    mine: bool,
    status: str | None,
    updated_since: datetime | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Case]:
    """A page of ``limit`` cases in (updated_at, id) order, plus one to show more follow.

    Each case returned to the caller is an audited read.
    """
    query = scoped(select(Case), context).where(Case.deleted_at.is_(None))
    if mine:
        query = query.where(Case.officer_in_charge_id == context.actor.user_id)
    if status is not None:
        query = query.where(Case.status == status)
    if updated_since is not None:
        query = query.where(Case.updated_at >= updated_since)
    if after is not None:
        # A row comparison lets the database seek straight into the (updated_at, id) index;
        # the equivalent OR form makes PostgreSQL scan and discard every earlier row.
        query = query.where(seek_after(Case.updated_at, Case.id, after))
    found = list(session.scalars(query.order_by(Case.updated_at, Case.id).limit(limit + 1)))
    ids = [str(case.id) for case in found[:limit]]
    audit.record(
        session, context, operation=audit.CONSULTATION, resource_type=RESOURCE, resource_ids=ids
    )
    session.commit()
    return found


def get_case(session: Session, context: AuditContext, case_id: uuid.UUID) -> Case:
    """One case in scope (an audited read); out of scope is a 404, audited as denied."""
    case = require_case(session, context, case_id)
    audit.record(
        session,
        context,
        operation=audit.CONSULTATION,
        resource_type=RESOURCE,
        resource_ids=[str(case_id)],
    )
    session.commit()
    return case


def _officer_in_charge(session: Session, context: AuditContext, user_id: uuid.UUID | None) -> User:
    """The officer in charge: the caller by default, otherwise an active user of their team."""
    officer = session.get(User, user_id or context.actor.user_id)
    allowed = (
        officer is not None and not officer.disabled and in_scope(context.actor, officer.team_id)
    )
    if officer is None or not allowed:
        raise ValidationFailed(errors={"officer_in_charge_id": ["No such officer in your team."]})
    return officer


def create_case(
    session: Session,
    context: AuditContext,
    *,
    data: Mapping[str, Any],
) -> Case:
    """Open a case in the officer in charge's team; a taken crime reference is a 409."""
    officer = _officer_in_charge(session, context, data.get("officer_in_charge_id"))
    now = utcnow()
    case = Case(
        crime_reference=data["crime_reference"].strip().upper(),
        offence=data["offence"].strip(),
        status=data.get("status", "open"),
        team_id=officer.team_id,
        officer_in_charge=officer,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"A case with crime reference {case.crime_reference} exists.") from exc
    audit.record(
        session,
        context,
        operation=audit.COLLECTION,
        resource_type=RESOURCE,
        resource_ids=[str(case.id)],
    )
    session.flush()
    return case


def update_case(
    session: Session,
    context: AuditContext,
    *,
    case_id: uuid.UUID,
    expected_version: int,
    changes: Mapping[str, Any],
) -> Case:
    """Change a case in scope, if the caller has the current version."""
    found = session.scalar(scoped(select(Case), context).where(Case.id == case_id))
    case = require_found(
        session,
        context,
        found if found is not None and found.deleted_at is None else None,
        resource_type=RESOURCE,
        resource_id=case_id,
        message="No such case.",
        operation=audit.ALTERATION,
    )
    if case.version != expected_version:
        raise PreconditionFailed(extra={"current_version": case.version})
    if "officer_in_charge_id" in changes:
        case.officer_in_charge = _officer_in_charge(
            session, context, changes["officer_in_charge_id"]
        )
    for field in ("offence", "status"):
        if field in changes:
            setattr(case, field, changes[field].strip() if field == "offence" else changes[field])
    case.updated_at = utcnow()
    groups = sorted({FIELD_GROUPS[field] for field in changes if field in FIELD_GROUPS})
    audit.record(
        session,
        context,
        operation=audit.ALTERATION,
        resource_type=RESOURCE,
        resource_ids=[str(case.id)],
        field_groups=groups,
    )
    commit_versioned(session)
    return case


def require_case(session: Session, context: AuditContext, case_id: uuid.UUID) -> Case:
    """A case in scope; otherwise a 404, audited as denied."""
    case = session.scalar(scoped(select(Case), context).where(Case.id == case_id))
    current = None if case is None or case.deleted_at is not None else case
    return require_found(
        session,
        context,
        current,
        resource_type=RESOURCE,
        resource_id=case_id,
        message="No such case.",
    )


class CaseRecord(Protocol):
    """A record that belongs to a case and pages by creation time."""

    id: Any
    case_id: Any
    created_at: Any


RecordT = TypeVar("RecordT", bound=CaseRecord)


def case_records(
    session: Session,
    context: AuditContext,
    model: type[RecordT],
    *,
    resource_type: str,
    case_id: uuid.UUID,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[RecordT]:
    """A page of a case's records, oldest first (plus one to show more follow); audited."""
    require_case(session, context, case_id)
    created_at: Any = model.created_at
    record_id: Any = model.id
    query = select(model).where(model.case_id == case_id)
    if after is not None:
        query = query.where(seek_after(created_at, record_id, after))
    found = list(session.scalars(query.order_by(created_at, record_id).limit(limit + 1)))
    audit.record(
        session,
        context,
        operation=audit.CONSULTATION,
        resource_type=resource_type,
        resource_ids=[str(row.id) for row in found[:limit]],
    )
    session.commit()
    return found
