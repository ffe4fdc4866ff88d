"""One case at a glance for the console: the case, its recipients, events and duties.

Built from the API's own reads (``cases.get_case``, ``events.list_events``,
``duties.list_duties``, ``victims.list_victims``), so the scope rule, the 404 for a case out
of scope (audited as denied) and the audit record of each read are the API's. Recipients'
names come only to the roles the API lets read victims; an auditor sees the duties without
them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from fieldapp.core.roles import CASEWORK
from fieldapp.models import Case, InvestigationEvent, Victim
from fieldapp.services import cases, duties, events, victims
from fieldapp.services.audit import AuditContext
from fieldapp.services.duties import DutyRow

#: The most duties one case page lists (earliest deadline first).
DUTY_LIMIT = 200


@dataclass(frozen=True)
class CaseOverview:
    """A case in scope with what the caller's role may see of it."""

    case: Case
    victims: list[Victim] | None  # None: the caller's role may not read victims
    events: list[InvestigationEvent]
    duties: list[DutyRow]
    more_duties: bool


def names_victims(context: AuditContext) -> bool:
    """Whether the caller's role may read victims (and so see their names)."""
    return context.actor.role in CASEWORK


def case_overview(session: Session, context: AuditContext, case_id: uuid.UUID) -> CaseOverview:
    """The case, its recipients (for case-working roles), events and duties; every read audited."""
    case = cases.get_case(session, context, case_id)
    recipients = (
        victims.list_victims(session, context, case_id=case_id) if names_victims(context) else None
    )
    found = events.list_events(session, context, case_id=case_id)
    rows = duties.list_duties(
        session,
        context,
        mine=False,
        status=None,
        overdue=False,
        case_id=case_id,
        after=None,
        limit=DUTY_LIMIT,
    )
    return CaseOverview(case, recipients, found, rows[:DUTY_LIMIT], len(rows) > DUTY_LIMIT)
