"""Contact duties: what a victim must be told, by when, and whether it was done."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.models.base import Base, UTCDateTime, new_id, utcnow


class ContactDuty(Base):
    """One Victims' Code duty for one victim, with the rule-set version it was computed under."""

    __tablename__ = "contact_duties"
    __table_args__ = (Index("ix_contact_duties_status_due", "status", "due_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    victim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("victims.id"), index=True)
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("investigation_events.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    working_days: Mapped[int | None] = mapped_column(Integer)
    ruleset_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="open")
    reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The message that met the duty: the evidence shown on the duty list.
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", use_alter=True, name="fk_contact_duties_message_id_messages")
    )
    # Or the contact that met it, or the event that satisfied it (e.g. a referral made).
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", use_alter=True, name="fk_contact_duties_contact_id_contacts")
    )
    met_by_event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("investigation_events.id"))
    # The information items the Code requires for this duty (None: recorded before items
    # existed, so any evidence meets it) and those given so far by sent messages and contacts.
    required_items: Mapped[list[str] | None] = mapped_column(JSON)
    covered_items: Mapped[list[str] | None] = mapped_column(JSON)
    # The paragraph of the Code the duty comes from, and the moment its clock counts from.
    basis: Mapped[str | None] = mapped_column(Text)
    clock_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
