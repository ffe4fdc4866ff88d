"""Sign-in, refresh-token rotation with reuse detection, and sign-out; each one audited.

A failed sign-in is recorded (and committed) under the username the caller claimed, with the
reason, before the one vague 401 that every failure gets; the password never is.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fieldapp.core.usernames import normalise_username
from fieldapp.errors import InvalidCredentials, RefreshTokenReused, TokenRevoked
from fieldapp.models import DeviceSession, User
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.passwords import Passwords
from fieldapp.services.principal_changes import declared, session_tag
from fieldapp.services.refusals import Origin
from fieldapp.services.users import principal_of

DEVICE_SESSION = "device_session"
UNKNOWN_USER = "unknown"


@dataclass(frozen=True)
class TokenPair:
    """What a phone receives on sign-in or refresh."""

    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


class TokenIssuer(Protocol):
    """Mints the pair for one device session (the web layer passes in its JWT issuer)."""

    def __call__(self, *, user_id: uuid.UUID, session_id: uuid.UUID, refresh_jti: str) -> TokenPair:
        """An access and a refresh token bound to the device session."""
        ...


def _record_failure(
    session: Session, origin: Origin, *, username: str, user: User | None, reason: str
) -> None:
    """Record and commit a failed sign-in under the claimed username."""
    audit.record_anonymous(
        session,
        actor_name=username[:64] or UNKNOWN_USER,
        client_address=origin.client_address,
        request_id=origin.request_id,
        purpose=origin.purpose,
        operation=audit.AUTHENTICATION,
        resource_type="user",
        resource_id=str(user.id) if user else UNKNOWN_USER,
        outcome="failed",
        reason=reason,
    )
    session.commit()


def record_rate_limited(session: Session, origin: Origin, username: str) -> None:
    """Record a sign-in refused by the rate limit (the caller bounds how often)."""
    user = session.scalar(select(User).where(User.username == username)) if username else None
    _record_failure(session, origin, username=username, user=user, reason="rate_limited")


def open_device_session(
    session: Session,
    origin: Origin,
    *,
    passwords: Passwords,
    username: str,
    password: str,
    device_name: str,
    lifetime: timedelta,
) -> DeviceSession:
    """Check credentials and open an audited device session; every failure looks the same.

    Shared by the phones' sign-in and the console's; the caller commits.
    """
    claimed = normalise_username(username)
    user = session.scalar(select(User).where(User.username == claimed))
    # Verify even for unknown or disabled users so that timing does not tell them apart.
    verified = passwords.verify(user.password_hash if user else None, password)
    if user is None or not verified or user.disabled:
        reason = "unknown_user" if user is None else "bad_password" if not verified else "disabled"
        _record_failure(session, origin, username=claimed, user=user, reason=reason)
        raise InvalidCredentials()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    now = utcnow()
    device = DeviceSession(
        user_id=user.id,
        device_name=device_name.strip(),
        refresh_jti=str(uuid.uuid4()),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
    )
    session.add(device)
    session.flush()
    actor = dataclasses.replace(principal_of(user), session_id=device.id)
    _record(session, origin.context(actor), "signed_in")
    return device


def sign_in(
    session: Session,
    origin: Origin,
    *,
    passwords: Passwords,
    username: str,
    password: str,
    device_name: str,
    refresh_lifetime: timedelta,
    issue_tokens: TokenIssuer,
) -> TokenPair:
    """Check credentials, open a device session and mint its tokens."""
    device = open_device_session(
        session,
        origin,
        passwords=passwords,
        username=username,
        password=password,
        device_name=device_name,
        lifetime=refresh_lifetime,
    )
    pair = issue_tokens(
        user_id=device.user_id, session_id=device.id, refresh_jti=device.refresh_jti
    )
    session.commit()
    return pair


def _record(session: Session, context: AuditContext, reason: str, outcome: str = "allowed") -> None:
    """One authentication record about the caller's device session."""
    audit.record(
        session,
        context,
        operation=audit.AUTHENTICATION,
        resource_type=DEVICE_SESSION,
        resource_ids=[str(context.actor.session_id)],
        outcome=outcome,
        reason=reason,
    )


def rotate_refresh_token(
    session: Session,
    context: AuditContext,
    *,
    presented_jti: str,
    refresh_lifetime: timedelta,
    issue_tokens: TokenIssuer,
) -> TokenPair:
    """Spend a refresh token for a new pair; a reused one ends the device session."""
    actor = context.actor
    if actor.session_id is None:  # only a device session holds a refresh token
        raise TokenRevoked()
    now = utcnow()
    new_jti = str(uuid.uuid4())
    # Both writes change what the principal cache holds for this session (expiry, revocation).
    changes = declared(session_tag(actor.session_id))
    # Compare-and-swap: only one request can spend a given refresh token.
    spent = session.execute(
        update(DeviceSession)
        .where(
            DeviceSession.id == actor.session_id,
            DeviceSession.refresh_jti == presented_jti,
            DeviceSession.revoked_at.is_(None),
        )
        .values(refresh_jti=new_jti, last_seen_at=now, expires_at=now + refresh_lifetime),
        execution_options=changes,
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        session.execute(
            update(DeviceSession)
            .where(DeviceSession.id == actor.session_id, DeviceSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason="refresh_token_reused"),
            execution_options=changes,
        )
        _record(session, context, RefreshTokenReused.code, outcome="denied")
        session.commit()
        raise RefreshTokenReused()
    _record(session, context, "refreshed")
    pair = issue_tokens(user_id=actor.user_id, session_id=actor.session_id, refresh_jti=new_jti)
    session.commit()
    return pair


def sign_out(session: Session, context: AuditContext) -> None:
    """End the caller's device session: its access and refresh tokens stop working."""
    device = session.get(DeviceSession, context.actor.session_id)
    if device is None or device.revoked_at is not None:
        raise TokenRevoked()
    device.revoked_at = utcnow()
    device.revoked_reason = "signed_out"
    _record(session, context, "signed_out")
    session.commit()
