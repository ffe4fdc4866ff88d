"""User accounts: officers, supervisors, admins and auditors."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.core.roles import ROLES
from fieldapp.models.base import Base, UTCDateTime, new_id, utcnow
from fieldapp.models.team import Team

_ROLE_LIST = ", ".join(f"'{role}'" for role in ROLES)


class User(Base):
    """A person who signs in; the role and team decide what they may do and see."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN ({_ROLE_LIST})", name="role"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id"), index=True)
    rank: Mapped[str | None] = mapped_column(String(40))
    collar_number: Mapped[str | None] = mapped_column(String(20))
    # A work number victims may call; messages fall back to the force's number without one.
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sessions created before this instant are dead: set on password, role, team or status change.
    sessions_valid_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    team: Mapped[Team] = relationship(lazy="joined")

    # Optimistic locking: every UPDATE checks and bumps the version (the ETag).
    __mapper_args__ = {"version_id_col": version}
