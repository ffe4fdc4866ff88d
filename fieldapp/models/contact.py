"""Contacts: a victim told (or an attempt to tell them) by phone, in person or by a letter handed
over, with which of a duty's required items the officer covered."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.models.base import Base, UTCDateTime, new_id, utcnow

CONTACT_METHODS = ("phone", "in_person", "letter_by_hand", "voicemail_no_detail")
CONTACT_OUTCOMES = ("reached", "not_reached")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK expression limiting a column to a list of words."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Contact(Base):
    """One contact with a victim; a reached one's covered items count toward its duty."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint(_one_of("method", CONTACT_METHODS), name="method"),
        CheckConstraint(_one_of("outcome", CONTACT_OUTCOMES), name="outcome"),
        Index("ix_contacts_case_created", "case_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    victim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("victims.id"), index=True)
    duty_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact_duties.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(12), default="reached")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What was said: personal data, blanked when the victim is erased (see erased_at).
    summary: Mapped[str] = mapped_column(Text)
    covered: Mapped[list[str]] = mapped_column(JSON, default=list)
    interpreter_language: Mapped[str | None] = mapped_column(String(10))
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def erased(self) -> bool:
        """True once the victim's personal data was erased from this contact."""
        return self.erased_at is not None
