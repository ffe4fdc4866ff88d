"""The audit trail (DPA 2018 s.62): insert-only records of who did what, and their seals."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, FetchedValue, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.models.base import Base, UTCDateTime


class AuditRecord(Base):
    """One logged operation, insert-only; a seal links it into the keyed chain after commit.

    On PostgreSQL a BEFORE INSERT trigger fixes ``seq`` (from a sequence), ``xid`` (the
    writer's transaction id) and ``occurred_at``, so no client chooses them; on SQLite ``seq``
    is the rowid and ``xid`` stays 0. Triggers refuse UPDATE and DELETE (migration 0008).
    """

    __tablename__ = "audit_records"
    __table_args__ = (
        Index("ix_audit_records_resource", "resource_type", "resource_id"),
        Index("ix_audit_records_actor", "actor_id", "occurred_at"),
        Index("ix_audit_records_operation", "operation", "outcome"),
        Index("ix_audit_records_position", "xid", "seq"),
    )

    # Numbered by the database (rowid on SQLite, a sequence via the trigger on PostgreSQL).
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
        server_default=FetchedValue(),
    )
    xid: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
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
    seal: Mapped[AuditSeal | None] = relationship(lazy="joined", viewonly=True)


class AuditSeal(Base):
    """One link of the keyed chain (see core.audit_chain), insert-only, written by the sealer.

    The primary key on ``chain_index`` and the unique record make a racing second sealer fail
    rather than fork the chain.
    """

    __tablename__ = "audit_seals"

    chain_index: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    record_seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("audit_records.seq"),
        unique=True,
    )
    key_id: Mapped[str] = mapped_column(String(32))
    mac: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)
