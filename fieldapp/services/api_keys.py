"""API keys for integrations: issue (shown once), list, revoke, and authenticate a call."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Result, Row, bindparam, select, update
from sqlalchemy.orm import Session

from fieldapp.core.api_key_states import KeyState, key_state
from fieldapp.core.principal import Principal
from fieldapp.errors import InvalidApiKey, NotFound, ValidationFailed
from fieldapp.models import ApiKey, Team, User
from fieldapp.models.base import new_id
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.keyset import seek_after

KEY_MARK = "fa"
# last_used_at is a hint for admins, not a log (the audit trail is that): writing it at most
# once a minute per key keeps a busy integration from turning every call into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_CALLER_QUERY = (
    select(
        ApiKey.id.label("key_id"),
        ApiKey.hash,
        ApiKey.prefix,
        ApiKey.scopes,
        ApiKey.rate_limit,
        ApiKey.expires_at,
        ApiKey.revoked_at,
        ApiKey.last_used_at,
        User.id,
        User.username,
        User.display_name,
        User.role,
        User.team_id,
        Team.name.label("team_name"),
        User.rank,
        User.collar_number,
        User.disabled,
    )
    .join(User, User.id == ApiKey.user_id)
    .join(Team, Team.id == User.team_id)
    .where(ApiKey.prefix == bindparam("prefix"))
)


@dataclass(frozen=True)
class IssuedKey:
    """A new key's record with the key itself, which exists only in the create response."""

    record: ApiKey
    key: str

    def __getattr__(self, name: str) -> Any:
        """Read everything else from the stored record (for the response schema)."""
        return getattr(self.record, name)


@dataclass(frozen=True)
class KeyCaller:
    """A caller authenticated by an API key: the user it acts for and what the key allows."""

    principal: Principal
    key_id: uuid.UUID
    scopes: frozenset[str]
    rate_limit: str


def hash_key(key: str) -> str:
    """The stored form of a key: SHA-256 hex of the whole key."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(presented: str) -> str | None:
    """The prefix of a key shaped ``fa_<prefix>_<secret>``, or None if it is not that shape."""
    mark, _, rest = presented.partition("_")
    prefix, _, secret = rest.partition("_")
    if mark != KEY_MARK or not prefix or not secret or len(presented) > 200:
        return None
    return prefix


def _unused_prefix(session: Session) -> str:
    """Eight random hex characters no other key has (the column is unique as well)."""
    while True:
        prefix = secrets.token_hex(4)
        if session.scalar(select(ApiKey.id).where(ApiKey.prefix == prefix)) is None:
            return prefix


def create_key(
    session: Session,
    *,
    context: AuditContext,
    data: Mapping[str, Any],
    now: datetime,
) -> IssuedKey:
    """Issue a key acting for an existing, enabled user; only its hash is stored."""
    user = session.get(User, data["user_id"])
    if user is None or user.disabled:
        raise ValidationFailed(errors={"user_id": ["No such user, or the account is disabled."]})
    expires_at: datetime | None = data.get("expires_at")
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed(errors={"expires_at": ["Give a time in the future."]})
    prefix = _unused_prefix(session)
    key = f"{KEY_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    record = ApiKey(
        id=new_id(),
        name=data["name"],
        prefix=prefix,
        hash=hash_key(key),
        user=user,
        scopes=sorted(set(data["scopes"])),
        rate_limit=data["rate_limit"],
        created_by_id=context.actor.user_id,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(record)
    audit.record(
        session,
        context,
        operation=audit.ADMINISTRATION,
        resource_type="api_key",
        resource_ids=[str(record.id)],
        field_groups=["scopes", "user"],
        reason="created for " + user.username[:40],
    )
    session.flush()
    return IssuedKey(record, key)


def list_keys(
    session: Session, *, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[ApiKey]:
    """One page of keys, oldest first (keyset on creation time and id), revoked ones included."""
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id).limit(limit)
    if after is not None:
        query = query.where(seek_after(ApiKey.created_at, ApiKey.id, after))
    return list(session.scalars(query))


def get_key(session: Session, key_id: uuid.UUID) -> ApiKey:
    """One key's record (never the key itself), or a 404."""
    record = session.get(ApiKey, key_id)
    if record is None:
        raise NotFound("No such API key.")
    return record


def state_of(record: ApiKey, *, now: datetime) -> KeyState:
    """Whether a stored key works at ``now`` and, if not, why not (as sign-in decides it)."""
    return key_state(
        revoked_at=record.revoked_at,
        expires_at=record.expires_at,
        user_disabled=record.user.disabled,
        now=now,
    )


def revoke_key(
    session: Session, *, context: AuditContext, key_id: uuid.UUID, now: datetime
) -> None:
    """Revoke a key at once; revoking a revoked key changes nothing."""
    record = session.get(ApiKey, key_id)
    if record is None or record.revoked_at is not None:
        audit.record(
            session,
            context,
            operation=audit.ADMINISTRATION,
            resource_type="api_key",
            resource_ids=[str(key_id)],
            outcome="allowed" if record else "denied",
            reason="already_revoked" if record else None,
        )
        session.commit()
        if record is None:
            raise NotFound("No such API key.", audited=True)
        return
    record.revoked_at = now
    record.revoked_by_id = context.actor.user_id
    audit.record(
        session,
        context,
        operation=audit.ADMINISTRATION,
        resource_type="api_key",
        resource_ids=[str(record.id)],
        field_groups=["revoked"],
        reason="revoked",
    )
    session.commit()


def caller_row(connection: Connection, prefix: str) -> Row[Any] | None:
    """The key with this prefix, with its user and team, in one query (None if unknown)."""
    result: Result[Any] = connection.execute(_CALLER_QUERY, {"prefix": prefix})
    return result.first()


def caller_from_row(row: Row[Any] | None, *, presented: str, now: datetime) -> KeyCaller:
    """The caller behind a presented key; unknown, wrong, revoked or expired keys are a 401."""
    if row is None or not hmac.compare_digest(row.hash, hash_key(presented)):
        raise InvalidApiKey()
    state = key_state(
        revoked_at=row.revoked_at, expires_at=row.expires_at, user_disabled=row.disabled, now=now
    )
    if state is KeyState.EXPIRED:
        raise InvalidApiKey("The API key has expired.")
    if state is not KeyState.LIVE:
        raise InvalidApiKey()
    principal = Principal.of_user(
        row, team_name=row.team_name, api_key_id=row.key_id, api_key_prefix=row.prefix
    )
    return KeyCaller(principal, row.key_id, frozenset(row.scopes), row.rate_limit)


def use_due(row: Row[Any], *, now: datetime) -> bool:
    """Whether the key's last use, as the row has it, is a minute old or more (or never)."""
    return row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION


def note_use(connection: Connection, row: Row[Any], *, now: datetime) -> bool:
    """Write the key's last use if :func:`use_due`; True if written."""
    if not use_due(row, now=now):
        return False
    # One autocommit single-row write, so no transaction is held for the request.
    connection.execute(update(ApiKey).where(ApiKey.id == row.key_id).values(last_used_at=now))
    return True


def authenticate(connection: Connection, *, presented: str, now: datetime) -> KeyCaller:
    """The caller behind a presented key, read from the database, its use noted."""
    prefix = key_prefix(presented)
    row = None if prefix is None else caller_row(connection, prefix)
    caller = caller_from_row(row, presented=presented, now=now)
    if row is not None:
        note_use(connection, row, now=now)
    return caller
