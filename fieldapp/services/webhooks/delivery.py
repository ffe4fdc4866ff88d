"""Webhook workers: claim due deliveries, check again, POST them signed, retry with backoff.

The design is the message outbox's (``services.messages.delivery``):

1. ``claim`` leases a batch of due pending deliveries in one short transaction (``FOR UPDATE
   SKIP LOCKED`` on PostgreSQL, so workers take different rows) and counts the attempt; the
   attempt number is the claim's token.
2. ``deliver_one`` checks, with fresh rows, that the subscription is still active and still
   lists the event, that its owner may still receive it (account enabled, key not revoked,
   team scope), and resolves the URL's host again, refusing private addresses. Then, outside
   any transaction, it POSTs to the address it checked, with a short timeout.
3. The outcome is written only while the claim still holds (same token and worker): a 2xx is
   delivered; anything else, a timeout or a refused address is a failed attempt, tried again
   after an exponential backoff with jitter, and abandoned after the last attempt.

Repeated failures disable the subscription (``failures``); the loop is in ``worker``.
A receiver may get an event twice (a worker that dies after the POST but before recording
it): receivers de-duplicate on ``Fieldapp-Event-Id``.
"""

from __future__ import annotations

import http.client
import json
import logging
import random as random_module
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from fieldapp.core.roles import ADMIN
from fieldapp.core.webhook_events import may_receive, payload
from fieldapp.core.webhook_signatures import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    sign,
)
from fieldapp.core.webhook_urls import IPAddress, Target, UrlRefused, check_url
from fieldapp.models import ApiKey, User, WebhookDelivery, WebhookEvent, WebhookSubscription
from fieldapp.services.webhooks.failures import audit_refused_url, count_failure
from fieldapp.services.webhooks.settings import WebhookSettings
from fieldapp.services.webhooks.targets import Resolver, checked_address, post, resolve

log = logging.getLogger("fieldapp.webhooks")

Outcome = Literal["delivered", "retry", "abandoned", "cancelled", "skipped", "lost"]
Sender = Callable[[Target, IPAddress, bytes, dict[str, str], float], tuple[int, bytes]]
USER_AGENT = "fieldapp-webhooks/1"


def send_post(
    target: Target, address: IPAddress, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int, bytes]:
    """POST with the standard library (the default sender)."""
    return post(target, address, body=body, headers=headers, timeout=timeout)


def claim(
    session: Session, *, worker: str, batch: int, settings: WebhookSettings, now: datetime
) -> list[uuid.UUID]:
    """Lease up to ``batch`` due pending deliveries to ``worker``, oldest first, and commit."""
    due = (
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.available_at <= now,
            or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
        )
        .order_by(WebhookDelivery.available_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    claimed = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(due.scalar_subquery()))
        .values(
            lease_until=now + settings.lease,
            claimed_by=worker,
            attempts=WebhookDelivery.attempts + 1,
        )
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    )
    ids = list(claimed.scalars())
    session.commit()
    return ids


def release(session: Session, ids: list[uuid.UUID], *, worker: str) -> None:
    """Give back claimed deliveries not yet tried (a stopping worker), uncounting the attempt."""
    if ids:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids), WebhookDelivery.claimed_by == worker)
            .values(lease_until=None, claimed_by=None, attempts=WebhookDelivery.attempts - 1)
            .execution_options(synchronize_session=False)
        )
    session.commit()


def deliver_one(
    session: Session,
    delivery_id: uuid.UUID,
    *,
    worker: str,
    settings: WebhookSettings,
    now: datetime,
    resolver: Resolver = resolve,
    sender: Sender = send_post,
    random: Callable[[], float] = random_module.random,
) -> Outcome:
    """Check and POST one claimed delivery, and record what happened."""
    delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None or not _holds(delivery, worker, now, settings):
        session.rollback()
        return "skipped"
    token = delivery.attempts
    subscription = session.get(
        WebhookSubscription, delivery.subscription_id, populate_existing=True
    )
    event = session.get(WebhookEvent, delivery.event_id)
    reason = _why_not(session, subscription, event, now)
    if reason is not None or subscription is None or event is None:
        return _cancel(session, delivery_id, token, reason or "gone")
    secret = settings.cipher.decrypt(subscription.secret_encrypted)
    try:
        target = check_url(subscription.url, allow_loopback=settings.allow_loopback)
        address = checked_address(target, resolver=resolver, allow_loopback=settings.allow_loopback)
    except UrlRefused as refused:
        audit_refused_url(session, subscription.id, str(refused))
        return _failed(
            session, delivery_id, token, f"refused: {refused}", None, settings, now, random
        )
    if secret is None:
        return _failed(
            session, delivery_id, token, "secret unreadable: rotate it", None, settings, now, random
        )
    body, headers = signed_request(event, secret, now)
    session.commit()  # end the read: no transaction stays open while the receiver answers
    try:
        status, _excerpt = sender(target, address, body, headers, settings.timeout)
    except Exception as error:  # any failure to get an answer is a failed attempt, retried
        return _failed(session, delivery_id, token, _describe(error), None, settings, now, random)
    if 200 <= status < 300:
        return _delivered(session, delivery_id, token, status, now)
    return _failed(session, delivery_id, token, f"HTTP {status}", status, settings, now, random)


def signed_request(event: WebhookEvent, secret: str, now: datetime) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a delivery of ``event`` signed at ``now``."""
    body = json.dumps(
        payload(event.id, event.type, event.occurred_at, event.data), separators=(",", ":")
    ).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secret, int(now.timestamp()), body),
        EVENT_ID_HEADER: str(event.id),
        EVENT_TYPE_HEADER: event.type,
    }
    return body, headers


def _holds(
    delivery: WebhookDelivery, worker: str, now: datetime, settings: WebhookSettings
) -> bool:
    """Whether our claim on a pending delivery holds, with time enough for one attempt."""
    if (
        delivery.status != "pending"
        or delivery.claimed_by != worker
        or delivery.lease_until is None
    ):
        return False
    return (delivery.lease_until - now).total_seconds() >= 2 * settings.timeout


def _why_not(
    session: Session,
    subscription: WebhookSubscription | None,
    event: WebhookEvent | None,
    now: datetime,
) -> str | None:
    """Why this event may not go to this subscription now, or None if it may."""
    if subscription is None or event is None:
        return "subscription deleted"
    if subscription.status != "active":
        return "subscription disabled"
    if event.type not in subscription.events:
        return "event no longer subscribed"
    owner = session.get(User, subscription.created_by_id, populate_existing=True)
    if owner is None or owner.disabled:
        return "owner account disabled"
    if subscription.api_key_id is not None:
        key = session.get(ApiKey, subscription.api_key_id, populate_existing=True)
        if key is None or key.revoked_at is not None or "webhooks" not in key.scopes:
            return "API key revoked"
        if key.expires_at is not None and key.expires_at <= now:
            return "API key expired"
    elif owner.role != ADMIN:
        return "owner is no longer an admin"
    if not may_receive(
        role=owner.role, team_id=owner.team_id, event_type=event.type, event_team=event.team_id
    ):
        return "owner may not see this event"
    return None


def _describe(error: Exception) -> str:
    """A short reason for a failed connection, naming no data."""
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, OSError | http.client.HTTPException):
        return f"connection failed: {type(error).__name__}"
    return f"delivery failed: {type(error).__name__}"


def _claimed(delivery_id: uuid.UUID, token: int) -> Any:
    """An UPDATE of a delivery that only applies while our claim (attempt ``token``) holds."""
    return (
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.attempts == token,
            WebhookDelivery.status == "pending",
        )
        .execution_options(synchronize_session=False)
    )


def _applied(session: Session, statement: Any) -> bool:
    """Run an UPDATE; whether it changed the row."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount == 1


def _cancel(session: Session, delivery_id: uuid.UUID, token: int, reason: str) -> Outcome:
    """Stop a delivery that may no longer go out (not counted as a failure)."""
    values = {"status": "cancelled", "lease_until": None, "claimed_by": None, "last_error": reason}
    applied = _applied(session, _claimed(delivery_id, token).values(**values))
    session.commit()
    log.info("webhook delivery cancelled", extra=_fields(delivery_id, reason=reason))
    return "cancelled" if applied else "lost"


def _delivered(
    session: Session, delivery_id: uuid.UUID, token: int, status: int, now: datetime
) -> Outcome:
    """Record a 2xx: the delivery is done and the subscription's failure count starts again."""
    values = {
        "status": "delivered",
        "delivered_at": now,
        "last_attempt_at": now,
        "last_status_code": status,
        "last_error": None,
        "lease_until": None,
    }
    if not _applied(session, _claimed(delivery_id, token).values(**values)):
        session.rollback()
        return "lost"
    subscription_id = session.scalar(
        select(WebhookDelivery.subscription_id).where(WebhookDelivery.id == delivery_id)
    )
    session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == subscription_id)
        .values(
            consecutive_failures=0, first_failure_at=None, last_delivery_at=now, last_success_at=now
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    log.info("webhook delivered", extra=_fields(delivery_id, status=status, attempt=token))
    return "delivered"


def _failed(
    session: Session,
    delivery_id: uuid.UUID,
    token: int,
    reason: str,
    status: int | None,
    settings: WebhookSettings,
    now: datetime,
    random: Callable[[], float],
) -> Outcome:
    """Record a failed attempt: retry later, or abandon after the last; maybe disable."""
    gives_up = settings.backoff.gives_up(token)
    values: dict[str, Any] = {
        "last_attempt_at": now,
        "last_status_code": status,
        "last_error": reason[:200],
        "lease_until": None,
        "claimed_by": None,
    }
    if gives_up:
        values["status"] = "abandoned"
    else:
        values["available_at"] = now + settings.backoff.delay(token, random)
    if not _applied(session, _claimed(delivery_id, token).values(**values)):
        session.rollback()
        return "lost"
    subscription_id = session.scalar(
        select(WebhookDelivery.subscription_id).where(WebhookDelivery.id == delivery_id)
    )
    count_failure(session, subscription_id, settings, now)
    session.commit()
    outcome: Outcome = "abandoned" if gives_up else "retry"
    log.info("webhook attempt failed", extra=_fields(delivery_id, attempt=token, outcome=outcome))
    return outcome


def _fields(delivery_id: uuid.UUID, **more: object) -> dict[str, dict[str, object]]:
    """Structured log fields: ids, statuses and counts only."""
    return {"fields": {"delivery_id": str(delivery_id), **more}}
