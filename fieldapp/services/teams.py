"""Teams: listing, creating and finding them by id or name."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fieldapp.errors import Conflict, NotFound, ValidationFailed
from fieldapp.models import Team
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext


def list_teams(session: Session) -> list[Team]:
    """Every team, by name."""
    return list(session.scalars(select(Team).order_by(Team.name)))


def get_team(session: Session, team_id: uuid.UUID) -> Team:
    """One team, or a 404."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("No such team.")
    return team


def find_team(session: Session, name: str) -> Team | None:
    """The team with exactly this name, if any."""
    return session.scalar(select(Team).where(Team.name == name.strip()))


def team_id_in(reference: str) -> uuid.UUID | None:
    """The UUID that ``reference`` spells, if it spells one (any case, with or without hyphens)."""
    try:
        return uuid.UUID(reference.strip())
    except ValueError:
        return None


def find_team_by_reference(session: Session, reference: str) -> Team | None:
    """The team with this id (as answers give ``team_id``) or, failing that, this name."""
    team_id = team_id_in(reference)
    team = session.get(Team, team_id) if team_id is not None else None
    return team if team is not None else find_team(session, reference)


def require_team(session: Session, reference: str, *, field: str = "team") -> Team:
    """The team with this id or name, or a 422 naming the field."""
    team = find_team_by_reference(session, reference)
    if team is None:
        raise ValidationFailed(errors={field: [f"Unknown team {reference.strip()!r}."]})
    return team


def create_team(session: Session, *, name: str, context: AuditContext | None = None) -> Team:
    """Create a team; a duplicate name is a 409. An admin's create is audited (set-up is not)."""
    if find_team(session, name) is not None:
        raise Conflict(f"A team called {name.strip()!r} already exists.")
    team = Team(name=name.strip())
    session.add(team)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent create won the race
        session.rollback()
        raise Conflict(f"A team called {name.strip()!r} already exists.") from exc
    if context is not None:
        audit.record(
            session,
            context,
            operation=audit.ADMINISTRATION,
            resource_type="team",
            resource_ids=[str(team.id)],
            reason="created",
        )
    return team
