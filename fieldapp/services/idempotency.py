"""Idempotency keys for creates (draft-ietf-httpapi-idempotency-key-header).

Same key and same body: the created resource again, read as it is now. Same key, different
body: 422. Same key while the first request is still running: 409. Keys are per user and kept
for 7 days, longer than an officer's phone stays offline.

A record keeps what was created (its type and id), never the response body: a replay reads
the resource again through the caller's scoped, audited read, so it re-checks access and
shows nothing that was erased since. Each holder of an in-progress key has an owner token;
taking over an abandoned key is one conditional UPDATE, so of many retries exactly one wins,
and a slow holder that lost its key cannot record (or commit) its result.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fieldapp.errors import Conflict, FieldappError, NotFound, ValidationFailed
from fieldapp.models import IdempotencyRecord
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext

T = TypeVar("T")

RETENTION = timedelta(days=7)
# A request still "in progress" after this long died with its worker; its key may be taken over.
ABANDONED_AFTER = timedelta(seconds=60)
MAX_KEY_LENGTH = 255
REPLAY_REASON = "Idempotent replay of a create."


class ReplayGone(FieldappError):
    """The key was used, but what it created can no longer be shown."""

    status_code, code, title = 410, "replay_gone", "Gone"
    default_detail = "This Idempotency-Key was used, but its result is no longer kept."


class KeyTakenOver(Conflict):
    """This request held the key too long: a retry took it over, so this result is dropped."""

    code, title = "idempotency_key_taken_over", "Idempotency-Key taken over"
    default_detail = "A retry with this Idempotency-Key took over; this request changed nothing."


@dataclass(frozen=True)
class Claimed:
    """This request holds the key; ``owner`` proves it when the result is recorded."""

    owner: uuid.UUID


@dataclass(frozen=True)
class Replay:
    """A finished request with this key: its status and what it created."""

    record_id: uuid.UUID
    status: int
    resource_type: str | None
    resource_id: str | None


def fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 over the method, the path and the canonical JSON body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def claim(
    session: Session,
    *,
    user_id: uuid.UUID,
    key: str,
    request_fingerprint: str,
    now: datetime,
) -> Claimed | Replay:
    """Reserve a key for this request (committed at once), or say how the first one ended."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(errors={"Idempotency-Key": ["Use 1 to 255 printable characters."]})
    owner = uuid.uuid4()
    record = _insert_or_read(
        session,
        {
            "id": uuid.uuid4(),
            "user_id": user_id,
            "key": key,
            "fingerprint": request_fingerprint,
            "status": "in_progress",
            "owner": owner,
            "created_at": now,
            "expires_at": now + RETENTION,
        },
    )
    session.commit()
    if record.owner == owner:
        return Claimed(owner)
    return _answer_for(session, record, request_fingerprint, now)


def _insert_or_read(session: Session, values: dict[str, Any]) -> IdempotencyRecord:
    """Insert a key's record, or read the one already there, in one statement.

    The conflict's no-op update (``user_id`` set to itself) makes ``RETURNING`` give back the
    existing row, so a retry costs one round trip instead of a failed insert, a rollback and a
    read; ``owner`` tells the two apart. On PostgreSQL it waits for a holder recording its
    result in that instant (a row lock held up to its commit), then reads the finished record.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(IdempotencyRecord).values(values)
    upsert = statement.on_conflict_do_update(
        index_elements=["user_id", "key"], set_={"user_id": statement.excluded.user_id}
    ).returning(IdempotencyRecord)
    return session.scalars(upsert).one()


def _answer_for(
    session: Session, existing: IdempotencyRecord, request_fingerprint: str, now: datetime
) -> Claimed | Replay:
    """Decide what a repeated key means."""
    if existing.fingerprint != request_fingerprint:
        raise ValidationFailed(
            "This Idempotency-Key was already used with a different request body.",
            errors={"Idempotency-Key": ["Already used for a different request."]},
        )
    if existing.status == "done" and existing.response_status is not None:
        return Replay(
            existing.id, existing.response_status, existing.resource_type, existing.resource_id
        )
    if now - existing.created_at > ABANDONED_AFTER:
        owner = _take_over(session, existing.id, now)
        if owner is not None:
            return Claimed(owner)
    raise Conflict(
        "A request with this Idempotency-Key is still being processed.",
        headers={"Retry-After": "1"},
    )


def _take_over(session: Session, record_id: uuid.UUID, now: datetime) -> uuid.UUID | None:
    """Take an abandoned key in one conditional UPDATE: the new owner for exactly one caller.

    The row is re-checked by the database (still in progress, still older than the cutoff), so
    a concurrent winner's fresh ``created_at`` makes every other caller's UPDATE match nothing.
    """
    owner = uuid.uuid4()
    result = session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.id == record_id,
            IdempotencyRecord.status == "in_progress",
            IdempotencyRecord.created_at < now - ABANDONED_AFTER,
        )
        .values(owner=owner, created_at=now, expires_at=now + RETENTION)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return owner if isinstance(result, CursorResult) and result.rowcount == 1 else None


def complete(
    session: Session,
    *,
    user_id: uuid.UUID,
    key: str,
    owner: uuid.UUID,
    status: int,
    resource_type: str,
    resource_id: str,
) -> None:
    """Record what the request created, in the create's transaction; 409 if taken over.

    The UPDATE only matches while this request still owns the key, so a holder that was
    presumed dead and replaced cannot overwrite the new owner's record nor commit a duplicate.
    """
    result = session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.owner == owner,
            IdempotencyRecord.status == "in_progress",
        )
        .values(
            status="done",
            response_status=status,
            resource_type=resource_type,
            resource_id=resource_id,
        )
        .execution_options(synchronize_session=False)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        raise KeyTakenOver()


def release(session: Session, *, user_id: uuid.UUID, key: str, owner: uuid.UUID) -> None:
    """Forget a key whose request failed, so that the client can retry it (if still ours)."""
    session.rollback()
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.owner == owner,
            IdempotencyRecord.status == "in_progress",
        )
    )
    session.commit()


def replay(session: Session, context: AuditContext, stored: Replay, read: Callable[[str], T]) -> T:
    """The created resource as it is now, through the caller's scoped read; the replay audited.

    ``read`` is the GET's own service call (itself audited, 404 when out of scope or erased).
    """
    if stored.resource_type is None or stored.resource_id is None:
        _record_replay(session, context, stored, outcome="failed")
        raise ReplayGone()
    try:
        resource = read(stored.resource_id)
    except NotFound:
        session.rollback()
        _record_replay(session, context, stored, outcome="denied")
        raise
    _record_replay(session, context, stored, outcome="allowed")
    return resource


def _record_replay(session: Session, context: AuditContext, stored: Replay, outcome: str) -> None:
    """One audit record for the replay itself, committed."""
    audit.record(
        session,
        context,
        operation=audit.CONSULTATION,
        resource_type=stored.resource_type or "idempotency_key",
        resource_ids=[stored.resource_id or str(stored.record_id)],
        outcome=outcome,
        reason=REPLAY_REASON,
    )
    session.commit()
