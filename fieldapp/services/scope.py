"""The one team-scope rule: admins see every team, everyone else only their own team.

Cases carry the team, and everything else in scope (victims, duties, events, messages) hangs
off a case, so the rule is written here once: as a test on a team id, and as a filter on
``Case.team_id`` for a query that selects or joins the case. What is missing and what is out of
scope look the same to the caller: one 404, recorded in the audit trail as denied.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.core.roles import ADMIN
from fieldapp.errors import NotFound
from fieldapp.models import Case
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext

SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])
FoundT = TypeVar("FoundT")


def sees_all_teams(actor: Principal) -> bool:
    """Whether the caller sees every team's work (admins) rather than only their own team's."""
    return actor.role == ADMIN


def in_scope(actor: Principal, team_id: uuid.UUID) -> bool:
    """Whether the caller may see the work of this team."""
    return sees_all_teams(actor) or team_id == actor.team_id


def scoped(query: SelectT, context: AuditContext) -> SelectT:
    """Limit a query that selects or joins ``Case`` to the cases the caller may see."""
    if sees_all_teams(context.actor):
        return query
    return query.where(Case.team_id == context.actor.team_id)


def deny(
    session: Session,
    context: AuditContext,
    *,
    resource_type: str,
    resource_id: uuid.UUID,
    message: str,
    operation: str = audit.CONSULTATION,
) -> NoReturn:
    """Record the attempt as denied, commit that record on its own, and answer 404."""
    audit.record(
        session,
        context,
        operation=operation,
        resource_type=resource_type,
        resource_ids=[str(resource_id)],
        outcome="denied",
    )
    session.commit()
    raise NotFound(message, audited=True)


def require_found(
    session: Session,
    context: AuditContext,
    found: FoundT | None,
    *,
    resource_type: str,
    resource_id: uuid.UUID,
    message: str,
    operation: str = audit.CONSULTATION,
) -> FoundT:
    """What an in-scope lookup found; nothing (missing or out of scope) is a 404, audited."""
    if found is None:
        deny(
            session,
            context,
            resource_type=resource_type,
            resource_id=resource_id,
            message=message,
            operation=operation,
        )
    return found
