"""Audit ledger helpers for tests: append records, load the keys, seal everything committed."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.audit_keys import LedgerKeys, load_ledger_keys
from fieldapp.database import get_database
from fieldapp.models import AuditRecord, AuditSeal
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.audit_sealer import seal_committed


def append(session: Session, *names: str, commit: bool = True) -> None:
    """Append one anonymous record per name (the resource id), and commit unless told not to."""
    for name in names:
        audit.record_anonymous(
            session,
            actor_name="system",
            client_address=None,
            request_id=None,
            purpose="test",
            operation=audit.CONSULTATION,
            resource_type="case",
            resource_id=name,
            outcome="allowed",
        )
    if commit:
        session.commit()


def ledger_keys(app: Flask) -> LedgerKeys:
    """The app's ledger keys (generated into the test's instance folder)."""
    return load_ledger_keys(app.config, Path(app.instance_path))


def seal_everything(app: Flask) -> int:
    """Seal everything committed so far; how many were sealed.

    On PostgreSQL the horizon is cluster-wide, so a transaction of another database on the
    same server can hold sealing back for a moment: this waits for it (bounded), never skips.
    """
    sessions, keys = get_database(app).sessions, ledger_keys(app)
    return seal_committed(sessions, keys, now=utcnow(), pause=threading.Event().wait)


def sealed_seqs(session: Session) -> list[int]:
    """The sealed records' sequence numbers in chain order."""
    session.rollback()  # a fresh snapshot
    return list(session.scalars(select(AuditSeal.record_seq).order_by(AuditSeal.chain_index)))


def record_seqs(session: Session, *names: str) -> list[int]:
    """The sequence numbers of the records with these resource ids, in the order named."""
    session.rollback()
    rows = session.execute(
        select(AuditRecord.resource_id, AuditRecord.seq).where(AuditRecord.resource_id.in_(names))
    )
    found = {row.resource_id: row.seq for row in rows}
    return [found[name] for name in names]


def audit_rows(session: Session, **where: Any) -> list[AuditRecord]:
    """Audit records matching every ``column=value`` given, oldest first (read afresh)."""
    session.expire_all()
    query = select(AuditRecord).order_by(AuditRecord.seq)
    for name, value in where.items():
        query = query.where(getattr(AuditRecord, name) == value)
    return list(session.scalars(query))
