"""Erasure of what other rows copied from a recipient: their messages' address, text and inputs,
and the summaries of contacts with them.

Run inside the victim's erasure, in the same transaction. What proves the duty was met stays:
ids, the template version, the hash of the merged data, the status and every time. A message
not yet sent is void (as any message whose recipient changed) and taken off the outbox, since
there is no longer anyone to send it to.
Idempotency records hold no copies (a replay reads the resource again), so nothing is needed
there.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fieldapp.models import Contact, Message, OutboxItem
from fieldapp.services.messages import safe_contact

ERASED_REASON = safe_contact.ERASED
UNSENT = ("drafted", "queued")
# The field groups an erasure removes from a message, for the audit record.
MESSAGE_FIELD_GROUPS = ("message_text", "recipient")
CONTACT_FIELD_GROUPS = ("contact_summary",)


def redact_messages(session: Session, *, victim_id: uuid.UUID, now: datetime) -> list[str]:
    """Blank every message to the person and stop any not yet sent; the ids redacted."""
    found = list(
        session.scalars(
            select(Message)
            .where(Message.victim_id == victim_id)
            .order_by(Message.id)
            .with_for_update()
        )
    )
    for message in found:
        message.recipient, message.subject, message.body, message.inputs = "", None, "", {}
        if message.given_another_way_note is not None:
            message.given_another_way_note = ""
        message.address_lines = None
        if message.status in UNSENT:
            message.status, message.voided_at, message.void_reason = "void", now, ERASED_REASON
        if message.failure_reason is not None:
            # A provider's error text may quote the address, so it goes too.
            message.failure_reason = ERASED_REASON
        message.erased_at, message.updated_at = now, now
    ids = [message.id for message in found]
    if ids:
        session.execute(delete(OutboxItem).where(OutboxItem.message_id.in_(ids)))
    return [str(message_id) for message_id in ids]


def redact_contacts(session: Session, *, victim_id: uuid.UUID, now: datetime) -> list[str]:
    """Blank the summary of every contact with the person (what was said); the ids redacted.

    The method, outcome, times and covered items stay: they prove what the duty was met by.
    """
    found = list(
        session.scalars(
            select(Contact)
            .where(Contact.victim_id == victim_id, Contact.erased_at.is_(None))
            .order_by(Contact.id)
            .with_for_update()
        )
    )
    for contact in found:
        contact.summary, contact.erased_at = "", now
    return [str(contact.id) for contact in found]
