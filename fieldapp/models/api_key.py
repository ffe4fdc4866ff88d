"""API keys: credentials for integrations (Power Platform connectors) acting for one user."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.models.base import Base, UTCDateTime, new_id, utcnow
from fieldapp.models.user import User


class ApiKey(Base):
    """One integration key; only its SHA-256 hash is stored, the key itself is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(80))
    # The public part of the key (``fa_<prefix>_<secret>``): how a key is found and named.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    # A plain SHA-256 is enough here, unlike for passwords: the secret is 256 random bits,
    # so there is nothing to guess from a dictionary, and a slow hash would only make every
    # integration call slower.
    hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    rate_limit: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")
