"""What happens when a message goes out (or cannot): the duty it meets, the audit of the disclosure.

Both ways of sending end here: an officer confirming a manual send, and a delivery worker
handing the message to GOV.UK Notify. The caller commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from fieldapp.models import ContactDuty, Message, User, Victim
from fieldapp.models.base import utcnow
from fieldapp.services import audit, duties
from fieldapp.services.audit import AuditContext
from fieldapp.services.users import principal_of

RESOURCE = "message"
#: The purpose recorded when a delivery worker (not a person) discloses a message.
DELIVERY_PURPOSE = "victim update"


def worker_context(session: Session, message: Message) -> AuditContext:
    """The audit context of a delivery worker: it discloses on behalf of the message's author."""
    author = session.get(User, message.created_by_id)
    if author is None:  # the foreign key makes this impossible; say so loudly if it happens
        raise LookupError(f"message {message.id} has no author")
    return AuditContext(actor=principal_of(author), purpose=DELIVERY_PURPOSE)


def record_sent(
    session: Session,
    context: AuditContext,
    message: Message,
    *,
    sent_at: datetime,
    provider: str,
    reference: str | None,
    sent_by_id: uuid.UUID | None,
    now: datetime | None = None,
) -> None:
    """Mark a message sent, meet its duty (on time or late) and audit the disclosure."""
    now = now or utcnow()
    message.status, message.sent_at, message.sent_by_id = "sent", sent_at, sent_by_id
    message.confirmed_at = now
    message.provider, message.provider_reference = provider, reference
    message.updated_at = now
    if message.duty_id is not None:
        _meet_duty(session, message, sent_at=sent_at, now=now)
    audit.record(
        session,
        context,
        operation=audit.DISCLOSURE,
        resource_type=RESOURCE,
        resource_ids=[str(message.id)],
        field_groups=["recipient", f"channel:{message.channel}", f"provider:{provider}"],
    )


def _meet_duty(session: Session, message: Message, *, sent_at: datetime, now: datetime) -> None:
    """The duty a message was written for is met when it is sent; a periodic one comes round."""
    duty = session.get(ContactDuty, message.duty_id)
    if duty is None or duty.status != "open":
        return  # already met by another message, or closed: the message still stands
    on_time = sent_at <= duty.due_at
    duty.status, duty.message_id = "met", message.id
    duty.reason = "Met on time by a message." if on_time else "Met late by a message."
    duty.closed_at, duty.closed_by_id, duty.updated_at = sent_at, message.created_by_id, now
    if duty.kind == duties.PERIODIC_KIND:
        victim = session.get(Victim, message.victim_id)
        if victim is not None:
            session.flush()  # the met duty is no longer open, so the next one is new
            duties.schedule_periodic(session, victim, now=sent_at)


def record_failed(message: Message, *, reason: str) -> None:
    """Mark a message failed for good, with a reason an officer can act on."""
    now = utcnow()
    message.status, message.failed_at, message.failure_reason = "failed", now, reason[:500]
    message.updated_at = now


def record_delivered(message: Message, *, delivered_at: datetime) -> None:
    """Mark a sent message delivered to the handset or inbox (the provider said so)."""
    message.status, message.delivered_at, message.updated_at = "delivered", delivered_at, utcnow()
