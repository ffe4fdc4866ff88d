"""Idempotency keys: a retried create returns the first response instead of a duplicate."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.models.base import Base, UTCDateTime, new_id


class IdempotencyRecord(Base):
    """One client key, per user: the request's fingerprint and, once done, what it created.

    No response body is kept: a replay reads the created resource again, as it is now, through
    the same scoped and audited read as a GET, so nothing personal outlives an erasure here.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))
    # Who holds an in-progress key: a takeover changes it, so a holder that lost it cannot finish.
    owner: Mapped[uuid.UUID] = mapped_column(Uuid)
    response_status: Mapped[int | None] = mapped_column(Integer)
    resource_type: Mapped[str | None] = mapped_column(String(40))
    resource_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
