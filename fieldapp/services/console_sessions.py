"""The console's sessions: device sessions held by a cookie, with idle and absolute limits.

A console sign-in is a device session like a phone's: listed in ``GET /api/v1/me/sessions``,
revocable there, and ended by a password, role or team change (``sessions_valid_after``).
The cookie only names the session; whether it is alive is decided here on every request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, update
from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.models import DeviceSession
from fieldapp.services import audit, auth
from fieldapp.services.audit import AuditContext
from fieldapp.services.device_sessions import principal_from_row, session_row
from fieldapp.services.passwords import Passwords
from fieldapp.services.principal_changes import declared, session_tag
from fieldapp.services.refusals import Origin

#: Prefix of a console session's device name, so people can tell it from a phone.
DEVICE_PREFIX = "Web console"
IDLE_TIMEOUT = "idle_timeout"
#: Checked like a refresh token: the session's ``expires_at`` is its absolute limit.
ABSOLUTE_LIMIT = "refresh"
#: How stale ``last_seen_at`` may get before a request writes it again (one write a minute).
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Limits:
    """How long a console session lives without activity, and at most."""

    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class Caller:
    """The result of checking a console cookie: the caller, or why there is none."""

    principal: Principal | None
    ended: str | None = None  # "idle_timeout" when the session just ran out
    stale: bool = False  # ``last_seen_at`` is old enough to be written again


def device_name(user_agent: str) -> str:
    """A readable device name from the browser's User-Agent ("Web console (Firefox)")."""
    for browser in ("Edg", "Firefox", "Chrome", "Safari"):
        if browser in user_agent:
            return f"{DEVICE_PREFIX} ({'Edge' if browser == 'Edg' else browser})"
    return DEVICE_PREFIX


def sign_in(
    session: Session,
    origin: Origin,
    *,
    passwords: Passwords,
    username: str,
    password: str,
    user_agent: str,
    limits: Limits,
) -> tuple[uuid.UUID, uuid.UUID]:
    """Open an audited console session; its id and its user's. Every failure looks the same."""
    device = auth.open_device_session(
        session,
        origin,
        passwords=passwords,
        username=username,
        password=password,
        device_name=device_name(user_agent),
        lifetime=limits.absolute,
    )
    opened = (device.id, device.user_id)
    session.commit()
    return opened


def load_caller(
    connection: Connection,
    *,
    session_id: uuid.UUID,
    user_id: uuid.UUID,
    now: datetime,
    limits: Limits,
) -> Caller:
    """Who holds a console cookie, if the session is alive (one read, no writes)."""
    row = session_row(connection, session_id)
    principal = principal_from_row(
        row, session_id=session_id, user_id=user_id, token_type=ABSOLUTE_LIMIT, now=now
    )
    if principal is None or row is None:
        return Caller(None)
    seen: datetime = row.last_seen_at
    if now - seen >= limits.idle:
        return Caller(None, ended=IDLE_TIMEOUT)
    return Caller(principal, stale=now - seen >= TOUCH_EVERY)


def touch(session: Session, *, session_id: uuid.UUID, now: datetime) -> None:
    """Note activity on a console session (at most once a minute, by the caller's choice)."""
    session.execute(
        update(DeviceSession).where(DeviceSession.id == session_id).values(last_seen_at=now),
        # Only the console's idle check reads last_seen_at, and the console is not cached.
        execution_options=declared(),
    )
    session.commit()


def end_idle(session: Session, origin: Origin, *, session_id: uuid.UUID, now: datetime) -> None:
    """End a console session left idle too long, and record it."""
    session.execute(
        update(DeviceSession)
        .where(DeviceSession.id == session_id, DeviceSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=IDLE_TIMEOUT),
        execution_options=declared(session_tag(session_id)),
    )
    audit.record_anonymous(
        session,
        actor_name="console",
        client_address=origin.client_address,
        request_id=origin.request_id,
        purpose=origin.purpose,
        operation=audit.AUTHENTICATION,
        resource_type=auth.DEVICE_SESSION,
        resource_id=str(session_id),
        outcome="denied",
        reason=IDLE_TIMEOUT,
    )
    session.commit()


def sign_out(session: Session, context: AuditContext) -> None:
    """End the caller's console session (audited)."""
    auth.sign_out(session, context)
