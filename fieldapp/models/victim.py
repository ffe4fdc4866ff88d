"""Victims and other recipients of updates on a case, with their safe-contact profile."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.models.base import Base, UTCDateTime, new_id, utcnow


class Victim(Base):
    """A person (or business contact) who must be kept informed about a case."""

    __tablename__ = "victims"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    recipient_role: Mapped[str] = mapped_column(String(30))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    preferred_channel: Mapped[str] = mapped_column(String(10))
    safe_channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    contentless: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(10), default="en")
    enhanced_rights: Mapped[bool] = mapped_column(Boolean, default=False)
    enhanced_basis: Mapped[list[str]] = mapped_column(JSON, default=list)
    update_frequency_days: Mapped[int | None] = mapped_column(Integer)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    # Lines of a UK postal address, the last one the postcode (GOV.UK Notify's letter rules).
    postal_address: Mapped[list[str] | None] = mapped_column(JSON)
    interpreter_language: Mapped[str | None] = mapped_column(String(10))
    accessible_format: Mapped[str | None] = mapped_column(String(20))
    needs: Mapped[str | None] = mapped_column(Text)
    # [{"days": ["mon", ...], "from": "HH:MM", "to": "HH:MM"}], London time; None: any time.
    safe_contact_times: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opted_out_how: Mapped[str | None] = mapped_column(String(20))
    opted_out_note: Mapped[str | None] = mapped_column(Text)
    # Enhanced-rights bases that follow from the role and age: [{"basis", "because"}].
    enhanced_derived: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    @property
    def opted_out(self) -> bool:
        """True once the recipient said they want no more updates."""
        return self.opted_out_at is not None
