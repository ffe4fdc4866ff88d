"""Teams: the unit that scopes what officers and supervisors may see."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.models.base import Base, UTCDateTime, new_id, utcnow


class Team(Base):
    """A policing team (for example a neighbourhood or response team)."""

    __tablename__ = "teams"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
