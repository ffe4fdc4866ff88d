"""The audit trail: every read, create, change and erasure of case data, in the same transaction.

Records are appended under a lock on the chain head so that each is sealed to the one before
(see ``fieldapp.core.audit_chain``); ``verify_chain`` finds the first broken link.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fieldapp.core.audit_chain import BrokenLink, seal, verify
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
OPERATIONS = (COLLECTION, ALTERATION, CONSULTATION, DISCLOSURE, COMBINATION, ERASURE)


@dataclass(frozen=True)
class AuditContext:
    """Who is acting, from which device session, why, and in which request."""

    actor: Principal
    purpose: str
    request_id: str | None = None


def record(
    session: Session,
    context: AuditContext,
    *,
    operation: str,
    resource_type: str,
    resource_ids: Sequence[str],
    field_groups: Sequence[str] = (),
    outcome: str = "allowed",
) -> None:
    """Append one record per resource; the caller's commit makes them durable with the work."""
    if operation not in OPERATIONS:
        raise ValueError(f"unknown audit operation {operation!r}")
    if not resource_ids:
        return
    # Advancing the head first takes its lock (row lock on PostgreSQL, the write lock on
    # SQLite), so concurrent writers seal their records one after another.
    last_seq, previous = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(last_seq=AuditChainHead.last_seq + len(resource_ids))
        .returning(AuditChainHead.last_seq, AuditChainHead.last_hash)
    ).one()
    seq = last_seq - len(resource_ids)
    now = utcnow()
    groups = ",".join(sorted(field_groups)) or None
    for resource_id in resource_ids:
        seq += 1
        entry = AuditRecord(
            seq=seq,
            occurred_at=now,
            actor_id=context.actor.user_id,
            actor_name=context.actor.username,
            session_id=context.actor.session_id,
            operation=operation,
            resource_type=resource_type,
            resource_id=resource_id,
            field_groups=groups,
            purpose=context.purpose,
            outcome=outcome,
            request_id=context.request_id,
            prev_hash=previous,
        )
        entry.hash = previous = seal(_sealed_view(entry), previous)
        session.add(entry)
    session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(last_hash=previous))


def _sealed_view(entry: AuditRecord) -> dict[str, object]:
    """The record as the chain seals it: ids as text, times in UTC."""
    return {
        "seq": entry.seq,
        "occurred_at": entry.occurred_at,
        "actor_id": str(entry.actor_id) if entry.actor_id else None,
        "actor_name": entry.actor_name,
        "session_id": str(entry.session_id) if entry.session_id else None,
        "operation": entry.operation,
        "resource_type": entry.resource_type,
        "resource_id": entry.resource_id,
        "field_groups": entry.field_groups,
        "purpose": entry.purpose,
        "outcome": entry.outcome,
        "request_id": entry.request_id,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _all_records(session: Session, batch: int = 1000) -> Iterator[dict[str, object]]:
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
) -> list[AuditRecord]:
    """One page of audit records, oldest first, filtered."""
    query = select(AuditRecord).order_by(AuditRecord.seq).limit(limit)
    if actor_id is not None:
        query = query.where(AuditRecord.actor_id == actor_id)
    if resource_type is not None:
        query = query.where(AuditRecord.resource_type == resource_type)
    if resource_id is not None:
        query = query.where(AuditRecord.resource_id == resource_id)
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
) -> list[AuditRecord]:
    """A page of ``limit`` records (plus one to show more follow); the reading is recorded."""
    found = list_records(
        session,
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
