"""What failing does to a subscription: a count of consecutive failures, and disabling.

A subscription whose attempts failed ``disable_after_failures`` times in a row, over at least
``disable_after``, is disabled: status, reason, an audit record and a log warning; its pending
deliveries are cancelled. Any 2xx resets the count (``delivery``). An admin re-enables it with
``PATCH {"status": "active"}``.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session

from fieldapp.models import WebhookDelivery, WebhookSubscription
from fieldapp.models.base import UTCDateTime
from fieldapp.services import audit
from fieldapp.services.webhooks.settings import WebhookSettings
from fieldapp.services.webhooks.subscriptions import FAILURE_REASON_START

log = logging.getLogger("fieldapp.webhooks")
#: Who the audit trail names for what the workers do on their own.
WORKER_ACTOR = "webhook delivery"


def count_failure(
    session: Session, subscription_id: uuid.UUID | None, settings: WebhookSettings, now: datetime
) -> None:
    """Add one consecutive failure; disable the subscription when there are enough, long enough."""
    session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == subscription_id)
        .values(
            consecutive_failures=WebhookSubscription.consecutive_failures + 1,
            first_failure_at=func.coalesce(
                WebhookSubscription.first_failure_at, literal(now, UTCDateTime())
            ),
            last_delivery_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    row = session.execute(
        select(
            WebhookSubscription.status,
            WebhookSubscription.consecutive_failures,
            WebhookSubscription.first_failure_at,
        ).where(WebhookSubscription.id == subscription_id)
    ).one_or_none()
    if row is None or row.status != "active" or row.first_failure_at is None:
        return
    if (
        row.consecutive_failures >= settings.disable_after_failures
        and now - row.first_failure_at >= settings.disable_after
    ):
        disable(session, subscription_id, row.consecutive_failures, now)


def disable(
    session: Session, subscription_id: uuid.UUID | None, failures: int, now: datetime
) -> None:
    """Disable a failing subscription: reason, audit record, warning; cancel what is pending."""
    reason = f"{FAILURE_REASON_START}{failures} consecutive failed attempts; re-enable when fixed."
    session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == subscription_id, WebhookSubscription.status == "active")
        .values(
            status="disabled",
            disabled_at=now,
            disabled_reason=reason,
            version=WebhookSubscription.version + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.status == "pending",
        )
        .values(status="cancelled", last_error="subscription disabled", lease_until=None)
        .execution_options(synchronize_session=False)
    )
    _audit_worker(session, subscription_id, outcome="allowed", reason=reason)
    log.warning(
        "webhook subscription disabled after repeated failures",
        extra={"fields": {"webhook_id": str(subscription_id), "failures": failures}},
    )


def audit_refused_url(session: Session, subscription_id: uuid.UUID, reason: str) -> None:
    """Record a delivery refused because its URL now points somewhere it may not."""
    _audit_worker(session, subscription_id, outcome="denied", reason=f"url refused: {reason}")


def _audit_worker(
    session: Session, subscription_id: uuid.UUID | None, *, outcome: str, reason: str
) -> None:
    """An audit record of what the webhook worker did to a subscription, in its name."""
    audit.record_anonymous(
        session,
        actor_name=WORKER_ACTOR,
        client_address=None,
        request_id=None,
        purpose=WORKER_ACTOR,
        operation=audit.ADMINISTRATION,
        resource_type="webhook",
        resource_id=str(subscription_id),
        outcome=outcome,
        reason=reason,
    )
