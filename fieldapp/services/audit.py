"""The audit trail: every read, create, change and erasure of case data, in the same transaction.

Appending is one INSERT in the caller's transaction and takes no shared lock. The sealer
(``services.audit_sealer``) links committed records into the keyed chain afterwards, and
``services.audit_verify`` checks it against the signed checkpoints.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.models import AuditRecord
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

_RECORD_TABLE = cast(Table, AuditRecord.__table__)


@dataclass(frozen=True)
class AuditContext:
    """Who is acting, from which device session, why, and in which request."""

    actor: Principal
    purpose: str
    request_id: str | None = None
    client_address: str | None = None


@dataclass(frozen=True)
class Entry:
    """What one call of ``record`` says, for ``record_all`` to append with others at once."""

    operation: str
    resource_type: str
    resource_ids: Sequence[str]
    field_groups: Sequence[str] = ()
    outcome: str = "allowed"
    reason: str | None = None


def _who(context: AuditContext) -> dict[str, Any]:
    """The actor columns of a signed-in caller's records."""
    actor = context.actor
    return {
        "actor_id": actor.user_id,
        "actor_name": actor.audit_name,
        "session_id": actor.session_id,
        "api_key_id": actor.api_key_id,
        "client_address": context.client_address,
        "purpose": context.purpose,
        "request_id": context.request_id,
    }


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
    entry = Entry(operation, resource_type, resource_ids, field_groups, outcome, reason)
    _insert(session, _rows(_who(context), entry))


def record_all(session: Session, context: AuditContext, entries: Sequence[Entry]) -> None:
    """Append the records of several entries in one statement (one round trip)."""
    who = _who(context)
    _insert(session, [row for entry in entries for row in _rows(who, entry)])


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
    entry = Entry(operation, resource_type, [resource_id], (), outcome, reason)
    _insert(session, _rows(who, entry))


def _rows(who: Mapping[str, Any], entry: Entry) -> list[dict[str, Any]]:
    """One row per resource of an entry, for the given actor fields."""
    if entry.operation not in OPERATIONS:
        raise ValueError(f"unknown audit operation {entry.operation!r}")
    if entry.outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {entry.outcome!r}")
    # No lock and no chain here: the database numbers the rows (and on PostgreSQL stamps the
    # transaction id and time), and the sealer chains them after commit (services.audit_sealer).
    now = utcnow()
    groups = ",".join(sorted(entry.field_groups)) or None
    return [
        {
            **who,
            "occurred_at": now,
            "operation": entry.operation,
            "resource_type": entry.resource_type,
            "resource_id": resource_id,
            "field_groups": groups,
            "outcome": entry.outcome,
            "reason": entry.reason[:200] if entry.reason else None,
        }
        for resource_id in entry.resource_ids
    ]


def _insert(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert the rows in one execution (none: no statement)."""
    if not rows:
        return
    # Rows as parameters, not as one multi-row VALUES clause: the statement is then compiled
    # once and cached, where a VALUES clause of N rows was compiled afresh on every call
    # (about 35 ms for the 100 duties a page may list).
    session.connection().execute(_RECORD_TABLE.insert(), rows)


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
    context: AuditContext,
    *,
    reads: Session,
    writes: Session,
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
    """A page of ``limit`` records (plus one to show more follow); the reading is recorded.

    Listed with ``reads`` (a replica may serve it); the reading is recorded with ``writes``.
    """
    found = list_records(
        reads,
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
        writes, context, operation=CONSULTATION, resource_type="audit_trail", resource_ids=[span]
    )
    writes.commit()
    return found
