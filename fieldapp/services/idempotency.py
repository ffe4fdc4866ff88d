"""Idempotency keys for creates (draft-ietf-httpapi-idempotency-key-header).

Same key and same body: the first response again. Same key, different body: 422. Same key
while the first request is still running: 409. Keys are per user and kept for 7 days, longer
than an officer's phone stays offline.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fieldapp.errors import Conflict, ValidationFailed
from fieldapp.models import IdempotencyRecord
from fieldapp.models.base import utcnow

RETENTION = timedelta(days=7)
# A request still "in progress" after this long died with its worker; its key may be reused.
ABANDONED_AFTER = timedelta(seconds=60)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Replay:
    """The stored first response to a request."""

    status: int
    body: Any
    etag: str | None


def fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 over the method, the path and the canonical JSON body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def claim(
    session: Session, *, user_id: uuid.UUID, key: str, request_fingerprint: str
) -> Replay | None:
    """Reserve a key for this request (committed at once), or return the first response."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(errors={"Idempotency-Key": ["Use 1 to 255 printable characters."]})
    now = utcnow()
    session.add(
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            fingerprint=request_fingerprint,
            status="in_progress",
            created_at=now,
            expires_at=now + RETENTION,
        )
    )
    try:
        session.commit()
        return None
    except IntegrityError:
        session.rollback()
    existing = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )
    if existing is None:  # released between our insert and this read: the caller may retry
        raise Conflict("This request is being retried; try again.", headers={"Retry-After": "1"})
    return _answer_for(session, existing, request_fingerprint)


def _answer_for(
    session: Session, existing: IdempotencyRecord, request_fingerprint: str
) -> Replay | None:
    """Decide what a repeated key means."""
    if existing.fingerprint != request_fingerprint:
        raise ValidationFailed(
            "This Idempotency-Key was already used with a different request body.",
            errors={"Idempotency-Key": ["Already used for a different request."]},
        )
    if existing.status == "done" and existing.response_status is not None:
        body = json.loads(existing.response_body) if existing.response_body else None
        return Replay(existing.response_status, body, existing.response_etag)
    if utcnow() - existing.created_at > ABANDONED_AFTER:
        existing.created_at = utcnow()
        session.commit()
        return None
    raise Conflict(
        "A request with this Idempotency-Key is still being processed.",
        headers={"Retry-After": "1"},
    )


def complete(
    session: Session,
    *,
    user_id: uuid.UUID,
    key: str,
    status: int,
    body: Any,
    etag: str | None,
) -> None:
    """Store the response with the created resource; the caller commits both together."""
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )
    if record is None:
        return
    record.status = "done"
    record.response_status = status
    record.response_body = json.dumps(body, default=str)
    record.response_etag = etag


def release(session: Session, *, user_id: uuid.UUID, key: str) -> None:
    """Forget a key whose request failed, so that the client can retry it."""
    session.rollback()
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.status == "in_progress",
        )
    )
    session.commit()
