"""Delivery workers: take queued messages from the outbox and hand each to the provider once.

Exactly once, without a distributed transaction:

1. ``claim`` leases a batch of outbox rows in one short transaction (``FOR UPDATE SKIP LOCKED``
   on PostgreSQL, so concurrent workers take different rows; SQLite serialises writers) and
   counts the attempt. Each claim's attempt number is its token.
2. ``deliver_one`` sends outside any transaction, then deletes the outbox row *with that token*
   and records the message sent in one transaction. A worker that lost its claim changes nothing.
3. A worker that dies after the provider accepted but before that commit leaves the row leased;
   when the lease runs out another worker claims it (attempt 2 or later) and first asks the
   provider whether our reference is already there, recording it sent without sending again.

Before each send (not before asking the provider about an earlier attempt) the message's version
and its recipient's current safe-contact profile are checked again, and a message that no longer
fits is made void in that transaction instead of being sent. A text or email to someone with
safe contact times is not sent outside them: it goes back on the outbox until the next window
opens (checked again then), and the deferral is not counted as an attempt.

The lease must outlast one send (provider timeout) with room to spare: ``deliver_one`` refuses
to start a send when less than ``send_budget`` of its lease is left.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from fieldapp.models import Message, OutboxItem
from fieldapp.models.base import utcnow
from fieldapp.services.messages.contact_windows import outside_window
from fieldapp.services.messages.outcomes import record_failed, record_sent, worker_context
from fieldapp.services.messages.providers import (
    DeliveryProvider,
    PermanentFailure,
    ProviderReceipt,
    TemporaryFailure,
    reference_of,
)
from fieldapp.services.messages.safe_contact import RecipientChanged, check_sendable, refuse_send
from fieldapp.services.outbox_rounds import run_rounds
from fieldapp.services.templates.published import VersionNotPublished

log = logging.getLogger("fieldapp.delivery")

Outcome = Literal["sent", "found", "retry", "failed", "skipped", "lost", "void", "deferred"]


@dataclass(frozen=True)
class DeliverySettings:
    """How long a claim lasts, how often to try, and how to space the tries."""

    lease: timedelta = timedelta(seconds=120)
    max_attempts: int = 6
    send_budget: timedelta = timedelta(seconds=20)
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=1)

    def backoff(self, attempts: int) -> timedelta:
        """Exponential backoff after the given attempt, capped, with jitter (half to full)."""
        delay = min(self.backoff_base * (1 << min(max(attempts - 1, 0), 20)), self.backoff_cap)
        return delay * (0.5 + random.random() / 2)  # noqa: S311 (spacing, not secrecy)


def settings_from_config(config: Mapping[str, Any]) -> DeliverySettings:
    """Delivery settings from FIELDAPP_DELIVERY_* and the provider timeout, checked for sense."""
    timeout = int(config["NOTIFY_TIMEOUT_SECONDS"])
    settings = DeliverySettings(
        lease=timedelta(seconds=int(config["DELIVERY_LEASE_SECONDS"])),
        max_attempts=int(config["DELIVERY_MAX_ATTEMPTS"]),
        send_budget=timedelta(seconds=2 * timeout),
    )
    if settings.lease <= settings.send_budget or settings.max_attempts < 1:
        raise ValueError(
            "FIELDAPP_DELIVERY_LEASE_SECONDS must exceed twice FIELDAPP_NOTIFY_TIMEOUT_SECONDS "
            "(a claim must outlast a send) and FIELDAPP_DELIVERY_MAX_ATTEMPTS must be at least 1"
        )
    return settings


def claim(
    session: Session, *, worker: str, batch: int, lease: timedelta, now: datetime
) -> list[uuid.UUID]:
    """Lease up to ``batch`` due outbox rows to ``worker``, oldest first, and commit."""
    due = (
        select(OutboxItem.message_id)
        .where(
            OutboxItem.available_at <= now,
            or_(OutboxItem.lease_until.is_(None), OutboxItem.lease_until < now),
        )
        .order_by(OutboxItem.available_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    # One UPDATE ... WHERE id IN (SELECT ... SKIP LOCKED): on SQLite the single statement takes
    # the write lock before it reads, so two workers can never lease the same row either.
    claimed = session.execute(
        update(OutboxItem)
        .where(OutboxItem.message_id.in_(due.scalar_subquery()))
        .values(lease_until=now + lease, claimed_by=worker, attempts=OutboxItem.attempts + 1)
        .returning(OutboxItem.message_id)
        .execution_options(synchronize_session=False)
    )
    ids = list(claimed.scalars())
    session.commit()
    return ids


def release(session: Session, message_ids: list[uuid.UUID], *, worker: str) -> None:
    """Give back claimed rows not yet tried (a stopping worker), uncounting the attempt."""
    if message_ids:
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.message_id.in_(message_ids), OutboxItem.claimed_by == worker)
            .values(lease_until=None, claimed_by=None, attempts=OutboxItem.attempts - 1)
            .execution_options(synchronize_session=False)
        )
    session.commit()


def deliver_one(
    session: Session,
    provider: DeliveryProvider,
    message_id: uuid.UUID,
    *,
    worker: str,
    settings: DeliverySettings,
    now: datetime | None = None,
) -> Outcome:
    """Send one claimed message (or find it already sent) and record what happened."""
    now = now or utcnow()
    token = _held_claim(session, message_id, worker=worker, now=now, settings=settings)
    # Fresh from the database: a long-lived session may hold an older copy of the message.
    message = session.get(Message, message_id, populate_existing=True) if token else None
    session.commit()  # end the read: no transaction stays open while the provider answers
    if token is None or message is None:
        return "skipped"
    if message.status != "queued":  # confirmed some other way meanwhile: nothing to send
        _delete_claimed(session, message_id, token)
        session.commit()
        return "skipped"
    outcome: Outcome = "found"
    try:
        receipt = provider.find(reference_of(message)) if token > 1 else None
        if receipt is None:  # not sent yet: check the recipient as they are now, then send
            refusal = check_sendable(session, message)
            if refusal is not None:
                return _refuse(session, message, token, refusal, now=now)
            if (opening := outside_window(session, message, now=now)) is not None:
                return _defer(session, message, token, opening)
            session.commit()
            receipt, outcome = provider.send(message), "sent"
    except TemporaryFailure as failure:
        return _retry(session, message, token, str(failure), settings=settings, now=now)
    except PermanentFailure as failure:
        return _fail(session, message, token, str(failure))
    return outcome if _record(session, provider, message, token, receipt) else "lost"


def _held_claim(
    session: Session,
    message_id: uuid.UUID,
    *,
    worker: str,
    now: datetime,
    settings: DeliverySettings,
) -> int | None:
    """The attempt number of our claim, if we still hold it with time enough to send."""
    row = session.execute(
        select(OutboxItem.attempts, OutboxItem.claimed_by, OutboxItem.lease_until).where(
            OutboxItem.message_id == message_id
        )
    ).one_or_none()
    if row is None or row.claimed_by != worker or row.lease_until is None:
        return None
    if row.lease_until - now < settings.send_budget:
        log.info("claim too close to expiry; left for the next claim", extra=_fields(message_id))
        return None
    return int(row.attempts)


def _delete_claimed(session: Session, message_id: uuid.UUID, token: int) -> bool:
    """Delete an outbox row only while it still carries our claim's attempt number."""
    result = session.execute(
        delete(OutboxItem)
        .where(OutboxItem.message_id == message_id, OutboxItem.attempts == token)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


def _record(
    session: Session,
    provider: DeliveryProvider,
    message: Message,
    token: int,
    receipt: ProviderReceipt,
) -> bool:
    """Empty the outbox row and mark the message sent, in one transaction, if the claim holds."""
    if not _delete_claimed(session, message.id, token):
        session.rollback()  # another worker reclaimed it: it will find it at the provider
        log.warning("claim lost before recording the send", extra=_fields(message.id))
        return False
    try:
        record_sent(
            session,
            worker_context(session, message),
            message,
            sent_at=receipt.accepted_at or utcnow(),
            provider=provider.name,
            reference=receipt.provider_id,
            sent_by_id=None,
        )
        session.commit()
    except StaleDataError:
        session.rollback()  # the message changed meanwhile (confirmed by hand): keep that
        log.warning("message changed before recording the send", extra=_fields(message.id))
        return False
    log.info("message sent", extra=_fields(message.id, provider=provider.name))
    return True


def _retry(
    session: Session,
    message: Message,
    token: int,
    reason: str,
    *,
    settings: DeliverySettings,
    now: datetime,
) -> Outcome:
    """Put the message back for later with a growing delay, or give up after the last attempt."""
    if token >= settings.max_attempts:
        return _fail(session, message, token, f"gave up after {token} attempts: {reason}")
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.message_id == message.id, OutboxItem.attempts == token)
        .values(
            available_at=now + settings.backoff(token),
            lease_until=None,
            claimed_by=None,
            last_error=reason[:500],
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    log.info("delivery will be retried", extra=_fields(message.id, attempt=token))
    return "retry"


def _defer(session: Session, message: Message, token: int, opening: datetime) -> Outcome:
    """Put the message back until the recipient's next safe window, uncounting the attempt."""
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.message_id == message.id, OutboxItem.attempts == token)
        .values(
            available_at=opening,
            lease_until=None,
            claimed_by=None,
            attempts=OutboxItem.attempts - 1,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    log.info("outside the recipient's safe contact times: deferred", extra=_fields(message.id))
    return "deferred"


def _fail(session: Session, message: Message, token: int, reason: str) -> Outcome:
    """Mark the message failed for good and take it off the outbox, if the claim holds."""
    if not _delete_claimed(session, message.id, token):
        session.rollback()
        return "lost"
    record_failed(session, message, reason=reason)
    session.commit()
    log.warning("message failed", extra=_fields(message.id, attempt=token))
    return "failed"


def _refuse(
    session: Session,
    message: Message,
    token: int,
    refusal: VersionNotPublished | RecipientChanged,
    *,
    now: datetime,
) -> Outcome:
    """Void the message (or fail it, if its version was never reviewed) instead of sending."""
    if not _delete_claimed(session, message.id, token):
        session.rollback()
        return "lost"
    refuse_send(session, worker_context(session, message), message, refusal, now=now)
    if message.status != "void":  # an unreviewed version can never be sent: fail it for good
        record_failed(session, message, reason=refusal.detail)
    session.commit()
    log.warning("message refused before sending", extra=_fields(message.id, code=refusal.code))
    return "void"


def _fields(message_id: uuid.UUID, **more: object) -> dict[str, dict[str, object]]:
    """Structured log fields: ids and counts only, never a recipient or a body."""
    return {"fields": {"message_id": str(message_id), **more}}


def run_worker(
    sessions: Callable[[], Session],
    provider: DeliveryProvider,
    *,
    worker: str,
    settings: DeliverySettings,
    batch: int = 10,
    once: bool = False,
    stop: threading.Event | None = None,
    idle_sleep: float = 1.0,
    clock: Callable[[], datetime] = utcnow,
) -> Counter[str]:
    """Claim and deliver until the queue is empty (``once``) or until ``stop`` is set.

    ``clock`` tells the time for claims and leases (tests step it instead of sleeping).
    While the database does not answer, the worker waits and tries again, each wait twice
    the last (``core.outage_waits``): it never exits because of an outage."""
    running = stop or threading.Event()
    tally: Counter[str] = Counter()
    run_rounds(
        lambda: bool(
            _deliver_batch(sessions, provider, worker, settings, batch, running, clock, tally)
        ),
        stop=running,
        once=once,
        idle_sleep=idle_sleep,
        tally=tally,
        log=log,
        waiting="delivery waiting for the database",
    )
    return tally


def _deliver_batch(
    sessions: Callable[[], Session],
    provider: DeliveryProvider,
    worker: str,
    settings: DeliverySettings,
    batch: int,
    stop: threading.Event,
    clock: Callable[[], datetime],
    tally: Counter[str],
) -> list[uuid.UUID]:
    """Claim one batch and deliver it; the ids claimed."""
    with sessions() as session:
        ids = claim(session, worker=worker, batch=batch, lease=settings.lease, now=clock())
        for index, message_id in enumerate(ids):
            if stop.is_set():  # the current message is finished: hand back the rest
                release(session, ids[index:], worker=worker)
                break
            outcome = _deliver_safely(session, provider, message_id, worker, settings, clock())
            tally[outcome] += 1
    return ids


def _deliver_safely(
    session: Session,
    provider: DeliveryProvider,
    message_id: uuid.UUID,
    worker: str,
    settings: DeliverySettings,
    now: datetime,
) -> str:
    """Deliver one message; an unexpected error leaves it leased, to be reclaimed and checked."""
    try:
        return deliver_one(session, provider, message_id, worker=worker, settings=settings, now=now)
    except Exception as error:  # one bad message must not stop the worker
        session.rollback()
        # The type only: database errors quote their parameters, which may hold the message.
        log.error("delivery error", extra=_fields(message_id, error=type(error).__name__))
        return "error"
