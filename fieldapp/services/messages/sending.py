"""Reading messages, and sending them: queue for GOV.UK Notify, or confirm a manual send.

Sending never happens in the request: ``send`` puts the message in the outbox (same
transaction) for the delivery workers. Both calls are safe to repeat, as low-code platforms
re-send POSTs: a message already queued or sent is returned as it is. Before a message goes,
in the same transaction: its version and its recipient are checked again (``safe_contact``)
and the send is counted against the officer's quota (``quota``). A manual send records
the time the officer claims and the time the server recorded it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.errors import Conflict, RateLimited, ValidationFailed
from fieldapp.models import Case, Message, OutboxItem
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.cases import case_records
from fieldapp.services.messages.outcomes import record_sent
from fieldapp.services.messages.quota import take_send_slot
from fieldapp.services.messages.safe_contact import check_sendable, refuse_send, void_refusal
from fieldapp.services.scope import require_found, scoped
from fieldapp.services.versions import commit_versioned

RESOURCE = "message"
# A phone's clock may run a little fast; a confirmed send time further ahead is refused.
CLOCK_SKEW = timedelta(minutes=5)
#: A claimed send time earlier than its confirmation by more than this needs a reason; the
#: compliance figures flag duties met on time only by such a claim.
CLAIM_TOLERANCE = timedelta(minutes=15)
DELIVERABLE_CHANNELS = {"notify": ("sms", "email", "letter")}


class ManualProvider(Conflict):
    """This force sends from officers' phones; the API does not send."""

    code, title = "manual_provider", "Send it yourself"


def list_messages(
    session: Session,
    context: AuditContext,
    *,
    case_id: uuid.UUID,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Message]:
    """A page of a case's messages, oldest first (plus one to show more follow); audited."""
    return case_records(
        session, context, Message, resource_type=RESOURCE, case_id=case_id, after=after, limit=limit
    )


def _in_scope(
    session: Session, context: AuditContext, message_id: uuid.UUID, *, lock: bool = False
) -> Message:
    """A message on a case the caller may see (locked for a change), or a 404 audited as denied."""
    query = scoped(select(Message).join(Case, Case.id == Message.case_id), context).where(
        Message.id == message_id, Case.deleted_at.is_(None)
    )
    if lock:
        query = query.with_for_update(of=Message).execution_options(populate_existing=True)
    return require_found(
        session,
        context,
        session.scalar(query),
        resource_type=RESOURCE,
        resource_id=message_id,
        message="No such message.",
    )


def get_message(session: Session, context: AuditContext, message_id: uuid.UUID) -> Message:
    """One message in scope (an audited read)."""
    message = _in_scope(session, context, message_id)
    audit.record(
        session,
        context,
        operation=audit.CONSULTATION,
        resource_type=RESOURCE,
        resource_ids=[str(message_id)],
    )
    session.commit()
    return message


def _refuse_unsendable(
    session: Session, context: AuditContext, message: Message, *, now: datetime
) -> None:
    """Re-check the version and the recipient now; a refusal is recorded (and committed)."""
    void = message.status == "void"
    refusal = void_refusal(message) if void else check_sendable(session, message)
    if refusal is not None:
        refuse_send(session, context, message, refusal, now=now)
        commit_versioned(session)
        raise refusal


def _take_slot(
    session: Session, context: AuditContext, message_id: uuid.UUID, *, quota: str, now: datetime
) -> None:
    """Count this send against the officer's quota; a spent quota is audited, then a 429."""
    try:
        take_send_slot(session, context.actor.user_id, quota=quota, now=now)
    except RateLimited as spent:
        session.rollback()
        audit.record(
            session,
            context,
            operation=audit.DISCLOSURE,
            resource_type=RESOURCE,
            resource_ids=[str(message_id)],
            outcome="denied",
            reason=f"send_quota: {quota}"[:200],
        )
        session.commit()
        spent.audited = True  # recorded against the message: not again as a route refusal
        raise


def send_message(
    session: Session,
    context: AuditContext,
    *,
    message_id: uuid.UUID,
    provider: str,
    quota: str,
    now: datetime | None = None,
) -> Message:
    """Queue a drafted message for the delivery workers; repeating it changes nothing."""
    message = _in_scope(session, context, message_id, lock=True)
    if message.status == "void":
        _refuse_unsendable(session, context, message, now=now or utcnow())
    if message.status != "drafted":
        session.rollback()
        return message  # already queued, sent, delivered or failed: a retry, not a new send
    if provider == "manual":
        raise ManualProvider(
            "Messages are sent from your phone here: send it, then confirm with "
            f"POST /api/v1/messages/{message.id}/sent."
        )
    if message.channel not in DELIVERABLE_CHANNELS.get(provider, ()):
        raise Conflict(f"'{message.channel}' messages cannot be sent by {provider}; send by hand.")
    now = now or utcnow()
    _refuse_unsendable(session, context, message, now=now)
    _take_slot(session, context, message_id, quota=quota, now=now)
    message.status, message.provider, message.updated_at = "queued", provider, now
    message.queued_at, message.queued_by_id = now, context.actor.user_id
    session.add(OutboxItem(message_id=message.id, available_at=now, attempts=0, created_at=now))
    commit_versioned(session)
    return message


def _claimed_time(
    message: Message, claimed: datetime | None, reason: str | None, *, now: datetime
) -> datetime:
    """The sent time to count: the officer's claim, checked against the server's clock."""
    if claimed is None:
        return now
    if claimed > now + CLOCK_SKEW:
        raise ValidationFailed(errors={"sent_at": ["A message cannot be sent in the future."]})
    if claimed < message.created_at - CLOCK_SKEW:
        raise ValidationFailed(errors={"sent_at": ["Give when it was sent: after it was written."]})
    if claimed < now - CLAIM_TOLERANCE and not reason:
        minutes = int(CLAIM_TOLERANCE.total_seconds() // 60)
        raise ValidationFailed(
            f"The claimed time is more than {minutes} minutes before this confirmation.",
            errors={"reason": ["Say why the send is confirmed this late."]},
        )
    return min(claimed, now)


def confirm_sent(
    session: Session,
    context: AuditContext,
    *,
    message_id: uuid.UUID,
    sent_at: datetime | None,
    reason: str | None = None,
    quota: str,
    now: datetime | None = None,
) -> Message:
    """Record that the officer sent a drafted message by hand; its duty is met at that time."""
    message = _in_scope(session, context, message_id, lock=True)
    if message.status in ("sent", "delivered") and message.provider == "manual":
        session.rollback()
        return message  # a retry of the same confirmation
    if message.status == "void":
        _refuse_unsendable(session, context, message, now=now or utcnow())
    if message.status != "drafted":
        raise Conflict(f"This message is {message.status}; only a drafted one can be confirmed.")
    now = now or utcnow()
    reason = (reason or "").strip() or None
    when = _claimed_time(message, sent_at, reason, now=now)
    _refuse_unsendable(session, context, message, now=now)
    _take_slot(session, context, message_id, quota=quota, now=now)
    message.sent_reason = reason
    record_sent(
        session,
        context,
        message,
        sent_at=when,
        provider="manual",
        reference=None,
        sent_by_id=context.actor.user_id,
        now=now,
    )
    commit_versioned(session)
    return message
