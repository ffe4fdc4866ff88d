"""Device sessions: who is calling, and ending sessions (logout, lost phone, account change)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Result, Row, bindparam, select, update
from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.errors import NotFound
from fieldapp.models import DeviceSession, Team, User
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.principal_changes import declared, user_tag

_PRINCIPAL_QUERY = (
    select(
        User.id,
        User.username,
        User.display_name,
        User.role,
        User.team_id,
        Team.name.label("team_name"),
        User.rank,
        User.collar_number,
        User.disabled,
        User.sessions_valid_after,
        DeviceSession.user_id,
        DeviceSession.created_at,
        DeviceSession.expires_at,
        DeviceSession.revoked_at,
        DeviceSession.last_seen_at,
    )
    .join(User, User.id == DeviceSession.user_id)
    .join(Team, Team.id == User.team_id)
    # Built once with a bound parameter: this runs on every authenticated request, and a
    # statement rebuilt per call costs SQLAlchemy more CPU than the query itself.
    .where(DeviceSession.id == bindparam("session_id"))
)


def session_row(connection: Connection, session_id: uuid.UUID) -> Row[Any] | None:
    """A device session with its user and team, in one query."""
    result: Result[Any] = connection.execute(_PRINCIPAL_QUERY, {"session_id": session_id})
    return result.first()


def principal_from_row(
    row: Row[Any] | None,
    *,
    session_id: uuid.UUID,
    user_id: uuid.UUID,
    token_type: str,
    now: datetime | None = None,
) -> Principal | None:
    """The caller of a live session, or None if the session is dead."""
    if row is None or row.user_id != user_id or row.disabled or row.revoked_at is not None:
        return None
    if row.created_at <= row.sessions_valid_after:
        return None
    if token_type == "refresh" and row.expires_at <= (now or utcnow()):
        return None
    return Principal.of_user(row, team_name=row.team_name, session_id=session_id)


def list_sessions(session: Session, *, user_id: uuid.UUID) -> list[DeviceSession]:
    """A user's live device sessions, most recently used first."""
    user = session.get(User, user_id)
    valid_after = user.sessions_valid_after if user else utcnow()
    query = (
        select(DeviceSession)
        .where(
            DeviceSession.user_id == user_id,
            DeviceSession.revoked_at.is_(None),
            DeviceSession.expires_at > utcnow(),
            DeviceSession.created_at > valid_after,
        )
        .order_by(DeviceSession.last_seen_at.desc(), DeviceSession.id)
    )
    return list(session.scalars(query))


def revoke_own_session(session: Session, context: AuditContext, *, session_id: uuid.UUID) -> None:
    """Sign one of the caller's own devices out (a lost phone); audited, refusals too."""
    device = session.get(DeviceSession, session_id)
    mine = device is not None and device.user_id == context.actor.user_id
    allowed = mine and device is not None and device.revoked_at is None
    audit.record(
        session,
        context,
        operation=audit.AUTHENTICATION,
        resource_type="device_session",
        resource_ids=[str(session_id)],
        outcome="allowed" if allowed else "denied",
        reason="signed_out_by_user" if allowed else "not_found",
    )
    if not allowed or device is None:
        session.commit()
        raise NotFound("No such session.", audited=True)
    device.revoked_at = utcnow()
    device.revoked_reason = "signed_out_by_user"
    session.commit()


def end_all_sessions(session: Session, *, user: User, reason: str, now: datetime) -> None:
    """Kill every token of a user at once; the caller commits."""
    user.sessions_valid_after = now
    session.execute(
        update(DeviceSession)
        .where(DeviceSession.user_id == user.id, DeviceSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason),
        execution_options=declared(user_tag(user.id)),
    )
