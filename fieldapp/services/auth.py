"""Sign-in, refresh-token rotation with reuse detection, and sign-out."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.core.usernames import normalise_username
from fieldapp.errors import InvalidCredentials, RefreshTokenReused, TokenRevoked
from fieldapp.models import DeviceSession, User
from fieldapp.models.base import utcnow
from fieldapp.services.passwords import Passwords
from fieldapp.tokens import TokenPair, issue_pair


def sign_in(
    session: Session,
    *,
    passwords: Passwords,
    username: str,
    password: str,
    device_name: str,
    refresh_lifetime: timedelta,
) -> TokenPair:
    """Check credentials and open a device session; every failure looks the same."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    # Verify even for unknown or disabled users so that timing does not tell them apart.
    verified = passwords.verify(user.password_hash if user else None, password)
    if user is None or not verified or user.disabled:
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
        expires_at=now + refresh_lifetime,
    )
    session.add(device)
    session.flush()
    pair = issue_pair(user_id=user.id, session_id=device.id, refresh_jti=device.refresh_jti)
    session.commit()
    return pair


def rotate_refresh_token(
    session: Session, *, actor: Principal, presented_jti: str, refresh_lifetime: timedelta
) -> TokenPair:
    """Spend a refresh token for a new pair; a reused one ends the device session."""
    if actor.session_id is None:  # only a device session holds a refresh token
        raise TokenRevoked()
    now = utcnow()
    new_jti = str(uuid.uuid4())
    # Compare-and-swap: only one request can spend a given refresh token.
    spent = session.execute(
        update(DeviceSession)
        .where(
            DeviceSession.id == actor.session_id,
            DeviceSession.refresh_jti == presented_jti,
            DeviceSession.revoked_at.is_(None),
        )
        .values(refresh_jti=new_jti, last_seen_at=now, expires_at=now + refresh_lifetime)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        session.execute(
            update(DeviceSession)
            .where(DeviceSession.id == actor.session_id, DeviceSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason="refresh_token_reused")
        )
        session.commit()
        raise RefreshTokenReused()
    pair = issue_pair(user_id=actor.user_id, session_id=actor.session_id, refresh_jti=new_jti)
    session.commit()
    return pair


def sign_out(session: Session, *, actor: Principal) -> None:
    """End the caller's device session: its access and refresh tokens stop working."""
    device = session.get(DeviceSession, actor.session_id)
    if device is None or device.revoked_at is not None:
        raise TokenRevoked()
    device.revoked_at = utcnow()
    device.revoked_reason = "signed_out"
    session.commit()
