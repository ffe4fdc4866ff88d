"""Delivery receipts: ask GOV.UK Notify what became of the messages it accepted.

A message is ``sent`` once Notify accepts it; Notify then keeps trying the phone or inbox for up
to 72 hours. A refresher asks about each sent message within that window and records the end:
``delivered``, or ``failed`` - in which case the duty the message met is open again, because
the victim was not told. Nothing is held open while Notify answers: the candidates are read in
one short transaction per page, and each outcome is written in a transaction of its own.
Concurrent refreshers (or an officer) are caught by the message's version column.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from fieldapp.models import ContactDuty, Message
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.messages.outcomes import record_delivered, record_failed, worker_context
from fieldapp.services.messages.providers import DeliveryError, DeliveryProvider, DeliveryState

log = logging.getLogger("fieldapp.delivery.status")

Outcome = Literal["delivered", "failed", "pending", "skipped", "error"]

#: How long GOV.UK Notify keeps trying to deliver a text message or email.
NOTIFY_WINDOW = timedelta(hours=72)
#: Stored on the message: what happened and what to do, with no personal data.
NOT_DELIVERED = (
    "GOV.UK Notify accepted the message but could not deliver it (the phone may be off or the "
    "number wrong, or the inbox refused it): check the contact details and tell the victim "
    "another way"
)
REOPENED = "Reopened: the message was not delivered."


def refresh_statuses(
    session: Session,
    provider: DeliveryProvider,
    *,
    now: datetime,
    window: timedelta = NOTIFY_WINDOW,
    batch: int = 200,
    stop: threading.Event | None = None,
) -> Counter[str]:
    """Ask the provider about every message sent within ``window``, ``batch`` at a time."""
    tally: Counter[str] = Counter()
    after: tuple[datetime, uuid.UUID] | None = None
    while stop is None or not stop.is_set():
        page = _sent_messages(
            session, provider.name, now=now, window=window, batch=batch, after=after
        )
        session.commit()  # end the read: no transaction stays open while the provider answers
        for message_id, sent_at, reference in page:
            if stop is not None and stop.is_set():
                break
            tally[_refresh_safely(session, provider, message_id, reference, now=now)] += 1
            after = (sent_at, message_id)
        if len(page) < batch:
            break
    return tally


def _sent_messages(
    session: Session,
    provider: str,
    *,
    now: datetime,
    window: timedelta,
    batch: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> list[tuple[uuid.UUID, datetime, str]]:
    """One page of sent messages with a provider reference, oldest first, after ``after``."""
    query = (
        select(Message.id, Message.sent_at, Message.provider_reference)
        .where(
            Message.provider == provider,
            Message.status == "sent",
            Message.provider_reference.is_not(None),
            Message.sent_at >= now - window,
        )
        .order_by(Message.sent_at, Message.id)
        .limit(batch)
    )
    if after is not None:
        sent_at, message_id = after
        query = query.where(
            or_(
                Message.sent_at > sent_at,
                and_(Message.sent_at == sent_at, Message.id > message_id),
            )
        )
    return [
        (row.id, row.sent_at, row.provider_reference)
        for row in session.execute(query)
        if row.sent_at is not None and row.provider_reference is not None
    ]


def _refresh_safely(
    session: Session,
    provider: DeliveryProvider,
    message_id: uuid.UUID,
    reference: str,
    *,
    now: datetime,
) -> Outcome:
    """Refresh one message; a provider or database error is counted, not raised."""
    try:
        return refresh_one(session, provider, message_id, reference, now=now)
    except DeliveryError as error:
        session.rollback()
        log.warning("status check failed", extra=_fields(message_id, error=str(error)))
        return "error"
    except Exception as error:  # one bad message must not stop the others
        session.rollback()
        # The type only: database errors quote their parameters, which may hold the message.
        log.error("status refresh error", extra=_fields(message_id, error=type(error).__name__))
        return "error"


def refresh_one(
    session: Session,
    provider: DeliveryProvider,
    message_id: uuid.UUID,
    reference: str,
    *,
    now: datetime,
) -> Outcome:
    """Ask about one sent message and record a final answer; raises the provider's errors."""
    state: DeliveryState = provider.status(reference)
    if state == "pending":
        return "pending"
    # Fresh from the database: it may have changed while the provider answered.
    message = session.get(Message, message_id, populate_existing=True)
    if message is None or message.status != "sent" or message.provider_reference != reference:
        session.rollback()
        return "skipped"
    try:
        if state == "delivered":
            record_delivered(session, message, delivered_at=now)
        else:
            record_failed(session, message, reason=NOT_DELIVERED)
            _reopen_duty(session, message, now=now)
        session.commit()
    except StaleDataError:
        session.rollback()  # another refresher or an officer got there first: keep theirs
        log.info("message changed before its status was recorded", extra=_fields(message_id))
        return "skipped"
    log.info("delivery status recorded", extra=_fields(message_id, status=state))
    return state


def _reopen_duty(session: Session, message: Message, *, now: datetime) -> None:
    """The duty this message met is not met after all: open it again and audit the change."""
    duty = session.scalar(
        select(ContactDuty).where(ContactDuty.message_id == message.id, ContactDuty.status == "met")
    )
    if duty is None:
        return
    duty.status, duty.message_id, duty.reason = "open", None, REOPENED
    duty.closed_at, duty.closed_by_id, duty.updated_at = None, None, now
    audit.record(
        session,
        worker_context(session, message),
        operation=audit.ALTERATION,
        resource_type="duty",
        resource_ids=[str(duty.id)],
        field_groups=["status"],
    )


def _fields(message_id: uuid.UUID, **more: object) -> dict[str, dict[str, object]]:
    """Structured log fields: ids and states only, never a recipient or a body."""
    return {"fields": {"message_id": str(message_id), **more}}


def run_refresher(
    sessions: Callable[[], Session],
    provider: DeliveryProvider,
    *,
    once: bool = False,
    stop: threading.Event | None = None,
    interval: float = 60.0,
    window: timedelta = NOTIFY_WINDOW,
    batch: int = 200,
) -> Counter[str]:
    """Refresh every sent message, then again each ``interval`` seconds until ``stop``."""
    stop = stop or threading.Event()
    tally: Counter[str] = Counter()
    while not stop.is_set():
        with sessions() as session:
            tally += refresh_statuses(
                session, provider, now=utcnow(), window=window, batch=batch, stop=stop
            )
        if once:
            break
        stop.wait(interval)
    return tally
