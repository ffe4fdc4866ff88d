"""Letters: the postal address a letter goes to, its PDF, and printing it for hand delivery.

A letter message is written like any other (``writing``), to the recipient's postal address as
it was then (``address_lines``, blanked on erasure). Its PDF is rendered from the stored message
whenever it is needed (``core.letters``): for GOV.UK Notify's precompiled-letter API by the
delivery worker, or downloaded to be printed and delivered by hand. The letter carries the date
it was first printed, so a reprint is the same letter.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.letters import Letter, LetterError, render_letter
from fieldapp.errors import Conflict, FieldappError, ValidationFailed
from fieldapp.models import Case, Message, Victim
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.scope import require_found, scoped
from fieldapp.services.versions import commit_versioned

LETTER = "letter"
RESOURCE = "message"
LONDON = ZoneInfo("Europe/London")
#: Postage GOV.UK Notify takes for a UK precompiled letter.
POSTAGE = ("first", "second", "economy")
#: What printing a letter discloses, for the audit record.
FIELD_GROUPS = ("message_text", "recipient")
MAX_RECIPIENT = 254


class LetterErased(FieldappError):
    """The letter's recipient was erased: there is nothing left to print."""

    status_code, code, title = 410, "letter_erased", "Gone"


@dataclass(frozen=True)
class LetterSettings:
    """Who letters come from (the force's name per language, its return address) and postage."""

    names: Mapping[str, str]
    return_address: tuple[str, ...]
    postage: str = "second"

    def sender(self, language: str) -> tuple[str, ...]:
        """The sender's block: the force's name in the letter's language, then its address."""
        return (self.names.get(language) or self.names["en"], *self.return_address)


def _names(force: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The force's name per language, from its per-language settings."""
    english = (force.get("en") or {}).get("name", "")
    return {"en": english, "cy": (force.get("cy") or {}).get("name") or english}


def default_settings(force: Mapping[str, Mapping[str, str]]) -> LetterSettings:
    """Settings naming the force only (enough to check a letter fits its pages)."""
    return LetterSettings(names=_names(force), return_address=())


def settings_from_config(config: Mapping[str, Any]) -> LetterSettings:
    """Letter settings from the app's config (FIELDAPP_FORCE_NAME[_CY], FIELDAPP_LETTER_*)."""
    return LetterSettings(
        names=_names(config.get("FORCE") or {}),
        return_address=tuple(config.get("LETTER_RETURN_ADDRESS") or ()),
        postage=config.get("LETTER_POSTAGE") or "second",
    )


def postal_lines(victim: Victim) -> list[str]:
    """The recipient's postal address lines, blank ones dropped (none recorded: empty)."""
    return [line.strip() for line in victim.postal_address or [] if line and line.strip()]


def channel_address(victim: Victim, channel: str) -> str | None:
    """Where a channel reaches the recipient: phone, email, or the postal address on one line."""
    if channel == LETTER:  # the whole address is kept in the message's address_lines
        return ", ".join(postal_lines(victim))[:MAX_RECIPIENT] or None
    return {"sms": victim.phone, "email": victim.email}.get(channel)


def letter_fields(victim: Victim, channel: str, settings: LetterSettings) -> dict[str, Any]:
    """What a letter message stores besides its text (nothing for other channels)."""
    if channel != LETTER:
        return {}
    large = victim.accessible_format == "large_print"
    return {
        "address_lines": postal_lines(victim),
        "postage": settings.postage,
        "print_format": "large_print" if large else "standard",
    }


def letter_day(message: Message, now: datetime | None = None) -> date:
    """The date a letter carries: its first printing, or today (Europe/London)."""
    return (message.printed_at or now or utcnow()).astimezone(LONDON).date()


def letter_of(message: Message, settings: LetterSettings, *, on: date) -> Letter:
    """The letter a message prints as."""
    return Letter(
        address=tuple(message.address_lines or ()),
        on=on,
        sender=settings.sender(message.language),
        body=message.body,
        language=message.language,
        heading=message.subject,
        print_format=message.print_format or "standard",
    )


def check_printable(message: Message, settings: LetterSettings) -> None:
    """Refuse (422) a letter that cannot be printed: bad address, unprintable text, too long."""
    if message.channel != LETTER:
        return
    try:
        render_letter(letter_of(message, settings, on=letter_day(message)))
    except LetterError as refused:
        field = "postal_address" if refused.field == "address" else "template_key"
        raise ValidationFailed(str(refused), errors={field: [str(refused)]}) from None


def _letter_in_scope(session: Session, context: AuditContext, message_id: uuid.UUID) -> Message:
    """A letter message on a case the caller may see; anything else is an audited 404."""
    query = scoped(select(Message).join(Case, Case.id == Message.case_id), context).where(
        Message.id == message_id, Case.deleted_at.is_(None), Message.channel == LETTER
    )
    return require_found(
        session,
        context,
        session.scalar(query.with_for_update(of=Message)),
        resource_type=RESOURCE,
        resource_id=message_id,
        message="No such letter.",
        operation=audit.DISCLOSURE,
    )


def _refuse(session: Session, context: AuditContext, message: Message, reason: str) -> None:
    """Record a refused printing against the message."""
    audit.record(
        session,
        context,
        operation=audit.DISCLOSURE,
        resource_type=RESOURCE,
        resource_ids=[str(message.id)],
        outcome="denied",
        reason=reason,
    )
    session.commit()


def print_letter(
    session: Session,
    context: AuditContext,
    *,
    message_id: uuid.UUID,
    settings: LetterSettings,
    now: datetime | None = None,
) -> bytes:
    """The printable PDF of a letter (an audited disclosure); the first print dates it."""
    message = _letter_in_scope(session, context, message_id)
    if message.erased:
        _refuse(session, context, message, "erased")
        raise LetterErased("The recipient was erased: this letter can no longer be printed.",
                           audited=True)  # fmt: skip
    if message.status == "void":
        _refuse(session, context, message, "void")
        raise Conflict(
            f"This letter is void ({message.void_reason}); write it again.", audited=True
        )
    now = now or utcnow()
    try:
        pdf = render_letter(letter_of(message, settings, on=letter_day(message, now)))
    except LetterError as refused:  # e.g. written before a limit changed: say why, no 500
        session.rollback()
        raise Conflict(f"This letter cannot be printed: {refused}") from None
    if message.printed_at is None:
        message.printed_at, message.updated_at = now, now
    audit.record(
        session,
        context,
        operation=audit.DISCLOSURE,
        resource_type=RESOURCE,
        resource_ids=[str(message.id)],
        field_groups=FIELD_GROUPS,
    )
    commit_versioned(session)
    return pdf
