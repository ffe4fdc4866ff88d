"""User accounts: create, list, change, disable, and end their sessions; every change audited.

Records name the account and the groups of fields changed (``password``, ``role`` ...), never
a secret's value. Work from the command line is recorded under ``SYSTEM_ACTOR``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.core.roles import ADMIN
from fieldapp.core.usernames import normalise_username
from fieldapp.errors import Conflict, PreconditionFailed
from fieldapp.models import User
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.device_sessions import end_all_sessions
from fieldapp.services.passwords import Passwords
from fieldapp.services.scope import require_found
from fieldapp.services.teams import require_team
from fieldapp.services.versions import commit_versioned

# Changing any of these changes what the person may do or proves who they are.
SESSION_ENDING_FIELDS = frozenset({"role", "team", "disabled", "password"})
RESOURCE = "user"
SYSTEM_ACTOR = "system"


def principal_of(user: User) -> Principal:
    """A user as the actor of work done on their behalf, outside a device session."""
    return Principal.of_user(user, team_name=user.team.name)


def record_change(
    session: Session,
    context: AuditContext | None,
    *,
    user_id: uuid.UUID,
    field_groups: Sequence[str],
    reason: str | None = None,
    outcome: str = "allowed",
) -> None:
    """Record an administration of an account; ``context`` None is the command line."""
    if context is None:
        audit.record_anonymous(
            session,
            actor_name=SYSTEM_ACTOR,
            client_address=None,
            request_id=None,
            purpose="administration",
            operation=audit.ADMINISTRATION,
            resource_type=RESOURCE,
            resource_id=str(user_id),
            outcome=outcome,
            reason=reason,
        )
        return
    audit.record(
        session,
        context,
        operation=audit.ADMINISTRATION,
        resource_type=RESOURCE,
        resource_ids=[str(user_id)],
        field_groups=field_groups,
        outcome=outcome,
        reason=reason,
    )


def create_user(
    session: Session,
    context: AuditContext | None,
    *,
    passwords: Passwords,
    data: Mapping[str, Any],
) -> User:
    """Create an account in an existing team (audited, with its role); a taken username: 409."""
    username = normalise_username(data["username"])
    if find_user(session, username) is not None:
        raise Conflict(f"The username {username!r} is taken.")
    team = require_team(session, data["team"])
    now = utcnow()
    user = User(
        username=username,
        display_name=data.get("display_name") or username,
        role=data["role"],
        team=team,
        rank=data.get("rank"),
        collar_number=data.get("collar_number"),
        phone=data.get("phone"),
        password_hash=passwords.hash(data["password"]),
        disabled=False,
        sessions_valid_after=now,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    try:
        session.flush()
        groups = sorted(name for name in data if name != "username")
        record_change(
            session, context, user_id=user.id, field_groups=groups, reason=f"created {user.role}"
        )
        session.flush()
    except IntegrityError as exc:  # a concurrent create took the username first
        session.rollback()
        raise Conflict(f"The username {username!r} is taken.") from exc
    return user


def find_user(session: Session, username: str) -> User | None:
    """The account with this username, compared in its normal form, if any."""
    return session.scalar(select(User).where(User.username == normalise_username(username)))


def list_users(session: Session, *, after: str | None, limit: int) -> list[User]:
    """One page of accounts in username order (keyset: strictly after ``after``)."""
    query = select(User).order_by(User.username).limit(limit)
    if after is not None:
        query = query.where(User.username > after)
    return list(session.scalars(query))


def get_user(
    session: Session, context: AuditContext, user_id: uuid.UUID, *, operation: str = "consultation"
) -> User:
    """One account, or a 404 audited as a denied consultation (or ``operation``)."""
    return require_found(
        session,
        context,
        session.get(User, user_id),
        resource_type=RESOURCE,
        resource_id=user_id,
        message="No such user.",
        operation=operation,
    )


def update_user(
    session: Session,
    context: AuditContext,
    *,
    passwords: Passwords,
    user_id: uuid.UUID,
    expected_version: int,
    changes: Mapping[str, Any],
) -> User:
    """Apply an admin's changes (audited); password, role, team or status end every session."""
    actor = context.actor
    user = get_user(session, context, user_id, operation=audit.ALTERATION)
    if user.version != expected_version:
        raise PreconditionFailed(extra={"current_version": user.version})
    if user.id == actor.user_id and (
        changes.get("disabled") is True or changes.get("role", ADMIN) != ADMIN
    ):
        raise Conflict("You cannot disable your own account or remove your own admin role.")
    for field in ("display_name", "role", "rank", "collar_number", "phone", "disabled"):
        if field in changes:
            setattr(user, field, changes[field])
    if "team" in changes:
        user.team = require_team(session, changes["team"])
    if "password" in changes:
        user.password_hash = passwords.hash(changes["password"])
    now = utcnow()
    if SESSION_ENDING_FIELDS & changes.keys():
        end_all_sessions(session, user=user, reason="account_changed", now=now)
    user.updated_at = now
    role = f"role {user.role}" if "role" in changes else None
    record_change(session, context, user_id=user.id, field_groups=sorted(changes), reason=role)
    commit_versioned(session)
    return user


def revoke_sessions(session: Session, context: AuditContext, *, user_id: uuid.UUID) -> None:
    """Sign a user out of every device at once (audited)."""
    user = get_user(session, context, user_id, operation=audit.ALTERATION)
    end_all_sessions(session, user=user, reason="revoked_by_admin", now=utcnow())
    record_change(
        session, context, user_id=user.id, field_groups=["sessions"], reason="revoked_by_admin"
    )
    session.commit()
