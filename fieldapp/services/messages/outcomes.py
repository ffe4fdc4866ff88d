"""What happens when a message goes out (or cannot): the duty it meets, the audit of the disclosure.

Both ways of sending end here: an officer confirming a manual send, and a delivery worker
handing the message to GOV.UK Notify. The caller commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from fieldapp.models import ContactDuty, Message, User
from fieldapp.models.base import utcnow
from fieldapp.services import audit, evidence
from fieldapp.services.audit import AuditContext
from fieldapp.services.messages import information
from fieldapp.services.users import principal_of
from fieldapp.services.webhooks import events as webhook_events

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
    if not message.missing_items and not information.is_follow_up(session, message.template_key):
        evidence.told_something(session, message.victim_id, at=sent_at)
    audit.record(
        session,
        context,
        operation=audit.DISCLOSURE,
        resource_type=RESOURCE,
        resource_ids=[str(message.id)],
        field_groups=["recipient", f"channel:{message.channel}", f"provider:{provider}"],
    )


def _meet_duty(session: Session, message: Message, *, sent_at: datetime, now: datetime) -> None:
    """A sent message adds what it carried to its duty's evidence; the duty is met when complete.

    A follow-up prompt lacks items nobody gave another way, so it meets the duty only if other
    evidence gave the rest meanwhile.
    """
    duty = session.get(ContactDuty, message.duty_id)
    if duty is None:
        return
    items = (*(message.carried_items or ()), *(message.given_another_way or ()))
    told = evidence.Evidence(
        type=evidence.MESSAGE, id=message.id, at=sent_at, items=items, by_id=message.created_by_id
    )
    evidence.add_evidence(session, duty, told, now=now)


def record_failed(session: Session, message: Message, *, reason: str) -> None:
    """Mark a message failed for good, with a reason an officer can act on (webhooks told)."""
    now = utcnow()
    message.status, message.failed_at, message.failure_reason = "failed", now, reason[:500]
    message.updated_at = now
    webhook_events.message_outcome(session, message)


def record_delivered(session: Session, message: Message, *, delivered_at: datetime) -> None:
    """Mark a sent message delivered to the handset or inbox (the provider said so)."""
    message.status, message.delivered_at, message.updated_at = "delivered", delivered_at, utcnow()
    webhook_events.message_outcome(session, message)
