"""Victim-update messages, pinned to the exact template version they were written from, and the
outbox that delivery workers take them from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.models.base import Base, UTCDateTime, new_id, utcnow

# ``void``: refused at send time because the recipient's safe-contact profile changed.
MESSAGE_STATUSES = ("drafted", "queued", "sent", "delivered", "failed", "void")
PROVIDERS = ("manual", "notify")


class Message(Base):
    """One message to one recipient: what it said, from which template version, and its fate."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(repr(s) for s in MESSAGE_STATUSES)), name="status"
        ),
        Index("ix_messages_case_created", "case_id", "created_at", "id"),
        # The send quota counts an officer's queued and confirmed sends in a trailing window.
        Index("ix_messages_queued_by", "queued_by_id", "queued_at"),
        Index("ix_messages_sent_by", "sent_by_id", "confirmed_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    victim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("victims.id"), index=True)
    duty_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact_duties.id"), index=True)
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("investigation_events.id"))
    # The exact wording used: a foreign key, so a message can never point at text that changed.
    template_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("template_versions.id"))
    template_key: Mapped[str] = mapped_column(String(80))
    template_version: Mapped[int] = mapped_column(Integer)
    # The template the officer asked for, and why the one used differs (or 'requested').
    requested_template_key: Mapped[str | None] = mapped_column(String(80))
    variant_reason: Mapped[str | None] = mapped_column(String(20))
    # Bilingual recipients get an English and a Welsh message written together.
    group_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    channel: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(5))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Letters: the postal address written to (erased with the message), Notify postage, print
    # format (standard or large_print) and the first printing, whose date the letter carries.
    address_lines: Mapped[list[str] | None] = mapped_column(JSON)
    postage: Mapped[str | None] = mapped_column(String(20))
    print_format: Mapped[str | None] = mapped_column(String(20))
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # sha256 of the merged data: proves later what the message was built from, without a copy.
    merge_hash: Mapped[str] = mapped_column(String(64))
    ruleset_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="drafted")
    provider: Mapped[str | None] = mapped_column(String(10))
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queued_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # When it went (for a manual send, the time the officer claimed) and when the server
    # recorded it; a claim long before the recording carries the officer's reason.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_reason: Mapped[str | None] = mapped_column(String(500))
    sent_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(String(500))
    # The duty's required items the text carries and those it lacks (a follow-up prompt); items
    # the officer said were given another way, with their note (blanked on erasure).
    carried_items: Mapped[list[str] | None] = mapped_column(JSON)
    missing_items: Mapped[list[str] | None] = mapped_column(JSON)
    given_another_way: Mapped[list[str] | None] = mapped_column(JSON)
    given_another_way_note: Mapped[str | None] = mapped_column(Text)
    # Set when the recipient was erased: recipient, subject, body and inputs are blanked.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def erased(self) -> bool:
        """True once the recipient's personal data was erased from this message."""
        return self.erased_at is not None

    @property
    def meets_duty(self) -> bool | None:
        """Whether sending it gives what its duty requires (None: it answers no duty)."""
        return None if self.duty_id is None else not self.missing_items


class OutboxItem(Base):
    """A queued message waiting for a delivery worker.

    Workers claim rows with ``FOR UPDATE SKIP LOCKED`` and a lease; a claim whose lease ran out
    (its worker died) is taken again, and the provider is asked first whether the message
    already went, so that nothing is lost and nothing is sent twice.
    """

    __tablename__ = "message_outbox"
    __table_args__ = (Index("ix_message_outbox_available", "available_at"),)

    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id"), primary_key=True)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
