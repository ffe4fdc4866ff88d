"""Erasure of what other rows copied from a recipient: their messages' address, text and inputs.

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

from fieldapp.models import Message, OutboxItem
from fieldapp.services.messages import safe_contact

ERASED_REASON = safe_contact.ERASED
UNSENT = ("drafted", "queued")
# The field groups an erasure removes from a message, for the audit record.
MESSAGE_FIELD_GROUPS = ("message_text", "recipient")


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
