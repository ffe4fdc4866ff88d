"""Webhook subscriptions: create (secret shown once), list, read, change, delete; all audited.

Who may manage them: an admin signed in, or an integration with an API key holding the
``webhooks`` scope (whatever the key user's role). A subscription belongs to its creator:
admins signed in see and manage every subscription; a key sees those of its own user. What a
subscription receives is limited to what its owner may see (``core.webhook_events``).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, true
from sqlalchemy.orm import Session

from fieldapp.core.roles import ADMIN
from fieldapp.core.webhook_events import may_receive
from fieldapp.core.webhook_urls import UrlRefused, check_url
from fieldapp.errors import Forbidden, PreconditionFailed, ValidationFailed
from fieldapp.models import WebhookDelivery, WebhookSubscription
from fieldapp.services import audit
from fieldapp.services.audit import AuditContext
from fieldapp.services.keyset import seek_after
from fieldapp.services.scope import require_found
from fieldapp.services.webhooks.settings import WebhookSettings
from fieldapp.services.webhooks.targets import Resolver, checked_address

RESOURCE = "webhook"
NOT_FOUND = "No such webhook, or you may not see it."
#: How the reason of a subscription disabled by the workers starts (``delivery._disable``).
FAILURE_REASON_START = "Disabled after "


@dataclass(frozen=True)
class IssuedSubscription:
    """A subscription with its signing secret, which exists in this response only."""

    record: WebhookSubscription
    secret: str | None

    def __getattr__(self, name: str) -> Any:
        """Read everything else from the stored record (for the response schema)."""
        return getattr(self.record, name)


def require_manager(context: AuditContext) -> None:
    """Only admins (signed in) and API keys with the webhooks scope manage webhooks."""
    actor = context.actor
    if actor.api_key_id is None and actor.role != ADMIN:
        raise Forbidden("Only admins, or integrations with the 'webhooks' scope, manage webhooks.")


def new_secret() -> str:
    """A fresh signing secret: 256 random bits, URL-safe."""
    return "whsec_" + secrets.token_urlsafe(32)


def _checked_url(
    session: Session,
    context: AuditContext,
    url: str,
    *,
    resource_id: str,
    settings: WebhookSettings,
    resolver: Resolver,
) -> str:
    """The URL if webhooks may go there; a refusal is audited (committed alone) and a 422."""
    try:
        target = check_url(url, allow_loopback=settings.allow_loopback)
        checked_address(target, resolver=resolver, allow_loopback=settings.allow_loopback)
    except UrlRefused as refused:
        session.rollback()
        audit.record(
            session,
            context,
            operation=audit.ADMINISTRATION,
            resource_type=RESOURCE,
            resource_ids=[resource_id],
            field_groups=["url"],
            outcome="denied",
            reason=f"url refused: {refused}",
        )
        session.commit()
        raise ValidationFailed(errors={"url": [str(refused)]}) from refused
    return url


def _receivable(context: AuditContext, events: list[str]) -> list[str]:
    """The events, if the owner may receive every one; else a 422 naming those they may not."""
    actor = context.actor
    refused = [
        name
        for name in events
        if not may_receive(
            role=actor.role, team_id=actor.team_id, event_type=name, event_team=actor.team_id
        )
    ]
    if refused:
        raise ValidationFailed(
            errors={"events": [f"Your role does not receive {', '.join(sorted(refused))}."]}
        )
    return sorted(set(events))


def create_subscription(
    session: Session,
    context: AuditContext,
    *,
    data: Mapping[str, Any],
    settings: WebhookSettings,
    resolver: Resolver,
    now: datetime,
) -> IssuedSubscription:
    """Subscribe a URL to events; the caller commits. The secret is returned once."""
    require_manager(context)
    url = _checked_url(
        session, context, data["url"], resource_id="new", settings=settings, resolver=resolver
    )
    secret = new_secret()
    record = WebhookSubscription(
        id=uuid.uuid4(),
        url=url,
        events=_receivable(context, data["events"]),
        description=data.get("description") or "",
        status="active",
        secret_encrypted=settings.cipher.encrypt(secret),
        created_by_id=context.actor.user_id,
        api_key_id=context.actor.api_key_id,
        created_at=now,
        updated_at=now,
        consecutive_failures=0,
        version=1,
    )
    session.add(record)
    _record(session, context, record.id, ["events", "url"], "created")
    session.flush()
    return IssuedSubscription(record, secret)


def _record(
    session: Session,
    context: AuditContext,
    subscription_id: uuid.UUID,
    groups: list[str],
    reason: str,
) -> None:
    """Audit an administration of a subscription."""
    audit.record(
        session,
        context,
        operation=audit.ADMINISTRATION,
        resource_type=RESOURCE,
        resource_ids=[str(subscription_id)],
        field_groups=groups,
        reason=reason,
    )


def _visible(context: AuditContext) -> ColumnElement[bool]:
    """The condition on subscriptions the caller may see."""
    actor = context.actor
    if actor.api_key_id is None and actor.role == ADMIN:
        return true()
    return WebhookSubscription.created_by_id == actor.user_id


def list_subscriptions(
    session: Session,
    context: AuditContext,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[WebhookSubscription]:
    """One page (plus one) of the caller's subscriptions, oldest first."""
    require_manager(context)
    query = (
        select(WebhookSubscription)
        .where(_visible(context))
        .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(
            seek_after(WebhookSubscription.created_at, WebhookSubscription.id, after)
        )
    return list(session.scalars(query))


def get_subscription(
    session: Session, context: AuditContext, subscription_id: uuid.UUID, *, lock: bool = False
) -> WebhookSubscription:
    """One subscription the caller may see; otherwise a 404 (audited)."""
    require_manager(context)
    query = select(WebhookSubscription).where(
        WebhookSubscription.id == subscription_id, _visible(context)
    )
    if lock:
        query = query.with_for_update()
    found = session.scalar(query.execution_options(populate_existing=True))
    return require_found(
        session,
        context,
        found,
        resource_type=RESOURCE,
        resource_id=subscription_id,
        message=NOT_FOUND,
    )


def update_subscription(
    session: Session,
    context: AuditContext,
    *,
    subscription_id: uuid.UUID,
    expected_version: int,
    changes: Mapping[str, Any],
    settings: WebhookSettings,
    resolver: Resolver,
    now: datetime,
) -> IssuedSubscription:
    """Change url, events, description or status, or rotate the secret; audited, committed."""
    record = get_subscription(session, context, subscription_id, lock=True)
    if record.version != expected_version:
        raise PreconditionFailed()
    groups: list[str] = []
    if "url" in changes and changes["url"] != record.url:
        record.url = _checked_url(
            session,
            context,
            changes["url"],
            resource_id=str(record.id),
            settings=settings,
            resolver=resolver,
        )
        groups.append("url")
    if "events" in changes:
        record.events, groups = _receivable(context, changes["events"]), [*groups, "events"]
    if "description" in changes:
        record.description, groups = changes["description"] or "", [*groups, "description"]
    if "status" in changes and changes["status"] != record.status:
        _set_status(record, changes["status"], context, now=now)
        groups.append("status")
    secret = None
    if changes.get("rotate_secret"):
        secret = new_secret()
        record.secret_encrypted = settings.cipher.encrypt(secret)
        groups.append("secret")
    if groups:
        record.version, record.updated_at = record.version + 1, now
        reason = "secret rotated" if secret else "changed"
        _record(session, context, record.id, groups, reason)
    session.commit()
    return IssuedSubscription(record, secret)


def _set_status(
    record: WebhookSubscription, status: str, context: AuditContext, *, now: datetime
) -> None:
    """Re-enable (resetting the failure count) or disable by hand."""
    record.status = status
    if status == "active":
        record.consecutive_failures, record.first_failure_at = 0, None
        record.disabled_at, record.disabled_reason = None, None
    else:
        record.disabled_at = now
        record.disabled_reason = f"Disabled by {context.actor.audit_name}"[:200]


def delete_subscription(
    session: Session, context: AuditContext, *, subscription_id: uuid.UUID
) -> None:
    """Delete a subscription and its delivery history; pending deliveries are not sent."""
    record = get_subscription(session, context, subscription_id, lock=True)
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == record.id))
    session.delete(record)
    _record(session, context, subscription_id, ["subscription"], "deleted")
    session.commit()


def list_deliveries(
    session: Session,
    context: AuditContext,
    *,
    subscription_id: uuid.UUID,
    before: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[WebhookDelivery]:
    """One page (plus one) of a subscription's deliveries, newest first."""
    record = get_subscription(session, context, subscription_id)
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == record.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        stamp, row_id = before
        query = query.where(
            or_(
                WebhookDelivery.created_at < stamp,
                and_(WebhookDelivery.created_at == stamp, WebhookDelivery.id < row_id),
            )
        )
    return list(session.scalars(query))


def failing_subscriptions(session: Session, *, limit: int) -> list[WebhookSubscription]:
    """Subscriptions the workers disabled after repeated failures, most recent first (admins)."""
    return list(
        session.scalars(
            select(WebhookSubscription)
            .where(
                WebhookSubscription.status == "disabled",
                WebhookSubscription.disabled_reason.startswith(FAILURE_REASON_START),
            )
            .order_by(WebhookSubscription.disabled_at.desc())
            .limit(limit)
        )
    )
