"""The audit trail (DPA 2018 s.62): append-only, hash-chained records of who did what."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.models.base import Base, UTCDateTime


class AuditRecord(Base):
    """One logged operation; ``hash`` seals it to the record before (see core.audit_chain)."""

    __tablename__ = "audit_records"
    __table_args__ = (
        Index("ix_audit_records_resource", "resource_type", "resource_id"),
        Index("ix_audit_records_actor", "actor_id", "occurred_at"),
        Index("ix_audit_records_operation", "operation", "outcome"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_name: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    operation: Mapped[str] = mapped_column(String(20))
    resource_type: Mapped[str] = mapped_column(String(30))
    resource_id: Mapped[str] = mapped_column(String(64))
    field_groups: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(10))
    request_id: Mapped[str | None] = mapped_column(String(128))
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    client_address: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(200))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The single row holding the chain's last sequence number and hash.

    Writers lock it (by updating it first) so records are sealed one after another.
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    last_hash: Mapped[str] = mapped_column(String(64))
