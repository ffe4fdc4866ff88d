"""Open duties past their deadline or close to it, for a team or every team: audited reads.

Unlike the compliance figures these lists ignore the report's date range: an overdue duty
stays on the list until someone meets it or closes it, however old its deadline.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from fieldapp.models import Case, ContactDuty, InvestigationEvent, User, Victim
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.compliance import scope_team
from fieldapp.services.duties.worklist import RESOURCE
from fieldapp.services.scope import scoped

#: How many duties each list shows at most (earliest deadline first); the total is still given.
LIST_LIMIT = 50


@dataclass(frozen=True)
class DeadlineDuty:
    """One open duty as the lists show it: no victim's name, only the case it belongs to."""

    duty_id: uuid.UUID
    case_id: uuid.UUID
    crime_reference: str
    officer: str
    event_type: str | None
    kind: str
    title: str
    due_at: datetime


@dataclass(frozen=True)
class DeadlineList:
    """Up to ``LIST_LIMIT`` duties, earliest deadline first, and how many there are in all."""

    duties: list[DeadlineDuty]
    total: int


@dataclass(frozen=True)
class Deadlines:
    """The overdue duties and those due within ``within`` of ``now``."""

    now: datetime
    within: timedelta
    overdue: DeadlineList
    due_soon: DeadlineList


def _open_duties(
    session: Session,
    context: AuditContext,
    team_id: uuid.UUID | None,
    due: list[ColumnElement[bool]],
) -> DeadlineList:
    """One page of open duties in scope whose deadline meets ``due``, with the full count."""
    query: Any = (
        select(
            ContactDuty.id,
            Case.id,
            Case.crime_reference,
            User.display_name,
            InvestigationEvent.type,
            ContactDuty.kind,
            ContactDuty.title,
            ContactDuty.due_at,
            func.count().over(),
        )
        .join(Case, Case.id == ContactDuty.case_id)
        .join(User, User.id == Case.officer_in_charge_id)
        .join(Victim, Victim.id == ContactDuty.victim_id)
        .outerjoin(InvestigationEvent, InvestigationEvent.id == ContactDuty.event_id)
        .where(
            ContactDuty.status == "open",
            *due,
            Case.deleted_at.is_(None),
            Victim.deleted_at.is_(None),
        )
    )
    query = scoped(query, context)
    if team_id is not None:
        query = query.where(Case.team_id == team_id)
    rows = session.execute(
        query.order_by(ContactDuty.due_at, ContactDuty.id).limit(LIST_LIMIT)
    ).all()
    duties = [DeadlineDuty(*row[:-1]) for row in rows]
    return DeadlineList(duties, int(rows[0][-1]) if rows else 0)


def near_deadline(
    context: AuditContext,
    *,
    reads: Session,
    writes: Session,
    team_id: uuid.UUID | None,
    within: timedelta,
    now: datetime | None = None,
) -> Deadlines:
    """The open duties past their deadline, and those due within ``within``; each shown audited.

    The team follows the compliance figures' rule: a supervisor's own, an admin's choice or all.
    Listed with ``reads`` (a replica may serve it); audited and committed with ``writes``.
    """
    now = now or utcnow()
    scope = scope_team(context, team_id, reads=reads, writes=writes)
    overdue = _open_duties(reads, context, scope, [ContactDuty.due_at < now])
    due_soon = _open_duties(
        reads, context, scope, [ContactDuty.due_at >= now, ContactDuty.due_at < now + within]
    )
    audit.record(
        writes,
        context,
        operation=audit.CONSULTATION,
        resource_type=RESOURCE,
        resource_ids=[str(duty.duty_id) for duty in (*overdue.duties, *due_soon.duties)],
    )
    writes.commit()
    return Deadlines(now, within, overdue, due_soon)
