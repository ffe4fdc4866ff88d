"""Cases: one crime report, owned by a team, with an officer in charge."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.models.base import Base, UTCDateTime, new_id, utcnow
from fieldapp.models.team import Team
from fieldapp.models.user import User


class Case(Base):
    """A crime report the police are investigating."""

    __tablename__ = "cases"
    __table_args__ = (
        # Keyset paging and delta sync walk (team, updated_at, id).
        Index("ix_cases_team_updated", "team_id", "updated_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    crime_reference: Mapped[str] = mapped_column(String(40), unique=True)
    offence: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")
    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id"))
    officer_in_charge_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    team: Mapped[Team] = relationship(lazy="joined")
    officer_in_charge: Mapped[User] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
