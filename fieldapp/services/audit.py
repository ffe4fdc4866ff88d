"""The audit trail: every read, create, change and erasure of case data, in the same transaction.

Records are appended under a lock on the chain head so that each is sealed to the one before
(see ``fieldapp.core.audit_chain``); ``verify_chain`` finds the first broken link.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from fieldapp.core.audit_chain import SEALED_FIELDS, BrokenLink, seal, verify
from fieldapp.core.principal import Principal
from fieldapp.models import AuditChainHead, AuditRecord
from fieldapp.models.base import utcnow

# DPA 2018 s.62(1): the operations that must be logged.
COLLECTION = "collection"
ALTERATION = "alteration"
CONSULTATION = "consultation"
DISCLOSURE = "disclosure"
COMBINATION = "combination"
ERASURE = "erasure"
# Security events that are not processing of personal data: sign-in and sign-out, and
# administration (accounts, API keys, templates and their review).
AUTHENTICATION = "authentication"
ADMINISTRATION = "administration"
OPERATIONS = (
    COLLECTION,
    ALTERATION,
    CONSULTATION,
    DISCLOSURE,
    COMBINATION,
    ERASURE,
    AUTHENTICATION,
    ADMINISTRATION,
)
OUTCOMES = ("allowed", "denied", "failed")

_HEAD_TABLE = cast(Table, AuditChainHead.__table__)
_RECORD_TABLE = cast(Table, AuditRecord.__table__)


@dataclass(frozen=True)
class AuditContext:
    """Who is acting, from which device session, why, and in which request."""

    actor: Principal
    purpose: str
    request_id: str | None = None
    client_address: str | None = None


def record(
    session: Session,
    context: AuditContext,
    *,
    operation: str,
    resource_type: str,
    resource_ids: Sequence[str],
    field_groups: Sequence[str] = (),
    outcome: str = "allowed",
    reason: str | None = None,
) -> None:
    """Append one record per resource; the caller's commit makes them durable with the work."""
    actor = context.actor
    who = {
        "actor_id": actor.user_id,
        "actor_name": actor.audit_name,
        "session_id": actor.session_id,
        "api_key_id": actor.api_key_id,
        "client_address": context.client_address,
        "purpose": context.purpose,
        "request_id": context.request_id,
    }
    _append(
        session,
        who,
        operation=operation,
        resource_type=resource_type,
        resource_ids=resource_ids,
        field_groups=field_groups,
        outcome=outcome,
        reason=reason,
    )


def record_anonymous(
    session: Session,
    *,
    actor_name: str,
    client_address: str | None,
    request_id: str | None,
    purpose: str,
    operation: str,
    resource_type: str,
    resource_id: str,
    outcome: str,
    reason: str | None = None,
) -> None:
    """Append one record for a caller who is not (or not yet) signed in, e.g. a failed sign-in."""
    who = {
        "actor_id": None,
        "actor_name": actor_name,
        "session_id": None,
        "api_key_id": None,
        "client_address": client_address,
        "purpose": purpose,
        "request_id": request_id,
    }
    _append(
        session,
        who,
        operation=operation,
        resource_type=resource_type,
        resource_ids=[resource_id],
        outcome=outcome,
        reason=reason,
    )


def _append(
    session: Session,
    who: Mapping[str, Any],
    *,
    operation: str,
    resource_type: str,
    resource_ids: Sequence[str],
    field_groups: Sequence[str] = (),
    outcome: str,
    reason: str | None,
) -> None:
    """Seal and insert one record per resource for the given actor fields."""
    if operation not in OPERATIONS:
        raise ValueError(f"unknown audit operation {operation!r}")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    if not resource_ids:
        return
    # Advancing the head first takes its lock (row lock on PostgreSQL, the write lock on
    # SQLite), so concurrent writers seal their records one after another. Core statements
    # (no ORM bookkeeping) and one multi-row INSERT keep the lock short.
    # Write the work itself first, so every transaction locks its own rows before the chain
    # head: one lock order everywhere, so concurrent writers cannot deadlock.
    session.flush()
    connection = session.connection()  # Core execution: no ORM bookkeeping per statement
    last_seq, previous = connection.execute(
        _HEAD_TABLE.update()
        .where(_HEAD_TABLE.c.id == 1)
        .values(last_seq=_HEAD_TABLE.c.last_seq + len(resource_ids))
        .returning(_HEAD_TABLE.c.last_seq, _HEAD_TABLE.c.last_hash)
    ).one()
    first_seq = last_seq - len(resource_ids) + 1
    now = utcnow()
    groups = ",".join(sorted(field_groups)) or None
    rows = []
    for offset, resource_id in enumerate(resource_ids):
        row: dict[str, Any] = {
            **who,
            "seq": first_seq + offset,
            "occurred_at": now,
            "operation": operation,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "field_groups": groups,
            "outcome": outcome,
            "reason": reason[:200] if reason else None,
            "prev_hash": previous,
        }
        row["hash"] = previous = seal(_sealable(row), previous)
        rows.append(row)
    connection.execute(_RECORD_TABLE.insert(), rows)
    connection.execute(_HEAD_TABLE.update().where(_HEAD_TABLE.c.id == 1).values(last_hash=previous))


def _sealable(row: Mapping[str, Any]) -> dict[str, Any]:
    """A record's fields as the chain seals them: ids as text."""
    return {
        **row,
        "actor_id": str(row["actor_id"]) if row["actor_id"] else None,
        "session_id": str(row["session_id"]) if row["session_id"] else None,
        "api_key_id": str(row["api_key_id"]) if row.get("api_key_id") else None,
    }


def _sealed_view(entry: AuditRecord) -> dict[str, Any]:
    """A stored record as the chain seals it."""
    return _sealable({name: getattr(entry, name) for name in (*SEALED_FIELDS, "prev_hash", "hash")})


def _all_records(session: Session, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every record in sequence order, a batch at a time."""
    after = 0
    while True:
        rows = list(
            session.scalars(
                select(AuditRecord)
                .where(AuditRecord.seq > after)
                .order_by(AuditRecord.seq)
                .limit(batch)
            )
        )
        if not rows:
            return
        for row in rows:
            yield _sealed_view(row)
        after = rows[-1].seq


def verify_chain(session: Session) -> tuple[int, BrokenLink | None]:
    """Check every record against the chain; return how many passed and the first break."""
    checked, broken = verify(_all_records(session))
    if broken is None:
        head = session.get(AuditChainHead, 1)
        if head is not None and head.last_seq != checked:
            return checked, BrokenLink(checked + 1, "records after this point are missing")
    return checked, broken


def list_records(
    session: Session,
    *,
    actor_id: uuid.UUID | None,
    resource_type: str | None,
    resource_id: str | None,
    since: datetime | None,
    until: datetime | None,
    after_seq: int | None,
    limit: int,
    operation: str | None = None,
    outcome: str | None = None,
) -> list[AuditRecord]:
    """One page of audit records, oldest first, filtered."""
    query = select(AuditRecord).order_by(AuditRecord.seq).limit(limit)
    if actor_id is not None:
        query = query.where(AuditRecord.actor_id == actor_id)
    if resource_type is not None:
        query = query.where(AuditRecord.resource_type == resource_type)
    if resource_id is not None:
        query = query.where(AuditRecord.resource_id == resource_id)
    if operation is not None:
        query = query.where(AuditRecord.operation == operation)
    if outcome is not None:
        query = query.where(AuditRecord.outcome == outcome)
    if since is not None:
        query = query.where(AuditRecord.occurred_at >= since)
    if until is not None:
        query = query.where(AuditRecord.occurred_at < until)
    if after_seq is not None:
        query = query.where(AuditRecord.seq > after_seq)
    return list(session.scalars(query))


def read_trail(
    session: Session,
    context: AuditContext,
    *,
    actor_id: uuid.UUID | None,
    resource_type: str | None,
    resource_id: str | None,
    since: datetime | None,
    until: datetime | None,
    after_seq: int | None,
    limit: int,
    operation: str | None = None,
    outcome: str | None = None,
) -> list[AuditRecord]:
    """A page of ``limit`` records (plus one to show more follow); the reading is recorded."""
    found = list_records(
        session,
        operation=operation,
        outcome=outcome,
        actor_id=actor_id,
        resource_type=resource_type,
        resource_id=resource_id,
        since=since,
        until=until,
        after_seq=after_seq,
        limit=limit + 1,
    )
    shown = found[:limit]
    span = f"{shown[0].seq}-{shown[-1].seq}" if shown else "none"
    record(
        session, context, operation=CONSULTATION, resource_type="audit_trail", resource_ids=[span]
    )
    session.commit()
    return found
