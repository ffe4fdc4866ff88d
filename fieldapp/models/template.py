"""Message templates and their immutable versions, with the review workflow's who and when."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.core.templating.context import TEMPLATE_LANGUAGES
from fieldapp.core.templating.library import CHANNELS, TEMPLATE_FORMATS
from fieldapp.models.base import Base, UTCDateTime, new_id, utcnow
from fieldapp.models.user import User

TEMPLATE_STATUSES = ("active", "retired")
VERSION_STATUSES = ("draft", "submitted", "published", "rejected", "superseded")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK expression limiting a column to a list of words."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class MessageTemplate(Base):
    """A victim-update message for one channel and language; its wording lives in versions."""

    __tablename__ = "message_templates"
    __table_args__ = (
        CheckConstraint(_one_of("channel", CHANNELS), name="channel"),
        CheckConstraint(_one_of("language", TEMPLATE_LANGUAGES), name="language"),
        CheckConstraint(_one_of("status", TEMPLATE_STATUSES), name="status"),
        CheckConstraint(_one_of("format", TEMPLATE_FORMATS), name="format"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    # Variants of one message (channels, languages, contentless) share a family.
    family: Mapped[str] = mapped_column(String(80), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(5))
    event_type: Mapped[str] = mapped_column(String(40))
    contentless: Mapped[bool] = mapped_column(Boolean, default=False)
    format: Mapped[str] = mapped_column(String(20), default="standard", server_default="standard")
    # A text that does not carry everything the duty requires: writing it asks for a follow-up.
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(10), default="active")
    published_number: Mapped[int | None] = mapped_column(Integer)
    # The highest version number given out: numbers are gapless because only a writer that
    # holds this row (locked, and checked by ``version``) may take the next one.
    latest_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # No creator: imported from the built-in library (reviewed in the code repository).
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    retire_reason: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class TemplateVersion(Base):
    """One saved wording of a template. Subject, body and fields never change once saved."""

    __tablename__ = "template_versions"
    __table_args__ = (
        UniqueConstraint("template_id", "number", name="uq_template_versions_template_number"),
        CheckConstraint(_one_of("status", VERSION_STATUSES), name="status"),
        # Exactly one published version per template, whoever wins a race.
        Index(
            "uq_template_versions_one_published",
            "template_id",
            unique=True,
            postgresql_where=text("status = 'published'"),
            sqlite_where=text("status = 'published'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("message_templates.id"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    change_note: Mapped[str] = mapped_column(String(500), default="")
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    # sha256 of subject and body: finds a no-op save, and keys the compiled-template cache.
    content_hash: Mapped[str] = mapped_column(String(64))
    restored_from: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="joined")
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="joined")
