"""Webhook subscriptions (admins, or API keys with the webhooks scope) and their deliveries."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, current_app

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context
from fieldapp.api.etags import IF_MATCH_PARAMETER, etag_for, expected_version
from fieldapp.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, create_once
from fieldapp.api.paging import page, time_id_key
from fieldapp.core.roles import ROLES
from fieldapp.core.webhook_signatures import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER
from fieldapp.database import get_session
from fieldapp.models.base import utcnow
from fieldapp.schemas.paging import PageQuerySchema
from fieldapp.schemas.webhooks import (
    WebhookCreatedSchema,
    WebhookCreateSchema,
    WebhookDeliveryPageSchema,
    WebhookEventSchema,
    WebhookPageSchema,
    WebhookSchema,
    WebhookUpdateSchema,
)
from fieldapp.services.webhooks import subscriptions
from fieldapp.services.webhooks.settings import WebhookSettings, settings_from_config
from fieldapp.services.webhooks.targets import Resolver, resolve
from fieldapp.web.access import allow
from fieldapp.web.links import external_url
from fieldapp.web.openapi import FieldappApi

bp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1",
    description="Webhooks: signed POSTs to your URL when events happen (see docs/webhooks.md).",
)
#: Where tests put a stand-in DNS resolver (``app.extensions``).
RESOLVER_KEY = "fieldapp.webhook_resolver"
# Every role passes the access check: the service admits admins signed in and any key with
# the webhooks scope, and refuses everyone else with a 403 (recorded like any refusal).
MANAGERS = ROLES
SCOPE = "webhooks"

Answer = tuple[Any, int, dict[str, str]]

_HEADER = {"schema": {"type": "string"}, "required": True}
CALLBACKS: dict[str, Any] = {
    "webhookDelivery": {
        "{$request.body#/url}": {
            "post": {
                "summary": "An event, POSTed to your URL; answer 2xx within the timeout.",
                "parameters": [
                    {
                        **_HEADER,
                        "in": "header",
                        "name": SIGNATURE_HEADER,
                        "description": (
                            "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<raw body>')>; "
                            "refuse a t more than 5 minutes from your clock."
                        ),
                    },
                    {**_HEADER, "in": "header", "name": EVENT_ID_HEADER},
                    {**_HEADER, "in": "header", "name": EVENT_TYPE_HEADER},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/WebhookEvent"}
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "Received; anything else (or no answer) is retried."},
                    "4XX": {"description": "Refused by the receiver: retried with backoff."},
                },
            }
        }
    }
}


def _settings() -> WebhookSettings:
    """The webhook settings of the running app."""
    return settings_from_config(current_app.config)


def _resolver() -> Resolver:
    """How host names are resolved (a stand-in in tests)."""
    resolver: Resolver = current_app.extensions.get(RESOLVER_KEY, resolve)
    return resolver


def _headers(record: Any, *, created: bool = False) -> dict[str, str]:
    """The ETag (and on create the Location) of a subscription."""
    headers = {"ETag": etag_for(record.version)}
    if created:
        headers["Location"] = external_url("webhooks.get_webhook", webhook_id=record.id)
    return headers


@bp.get("/webhooks")
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, WebhookPageSchema)
@bp.doc(operationId="ListWebhooks")
@allow(*MANAGERS, scope=SCOPE)
def list_webhooks(query: dict[str, Any]) -> dict[str, Any]:
    """List subscriptions (admins: all; a key: its user's), oldest first."""
    found = subscriptions.list_subscriptions(
        get_session(), audit_context(), after=time_id_key(query), limit=query["limit"]
    )
    return page(found, limit=query["limit"], key=lambda s: [s.created_at.isoformat(), str(s.id)])


@bp.post("/webhooks")
@bp.arguments(WebhookCreateSchema)
@bp.response(201, WebhookCreatedSchema)
@bp.doc(operationId="CreateWebhook", parameters=[IDEMPOTENCY_KEY_PARAMETER], callbacks=CALLBACKS)
@allow(*MANAGERS, scope=SCOPE)
def create_webhook(data: dict[str, Any]) -> Answer | Response:
    """Subscribe a URL to events; the response shows the signing secret once."""
    result = create_once(
        lambda: subscriptions.create_subscription(
            get_session(),
            audit_context(),
            data=data,
            settings=_settings(),
            resolver=_resolver(),
            now=utcnow(),
        ),
        schema=WebhookSchema(),
        resource_type=subscriptions.RESOURCE,
        read=lambda found: subscriptions.get_subscription(
            get_session(), audit_context(), uuid.UUID(found)
        ),
    )
    if isinstance(result, Response):
        return result
    return result, 201, _headers(result, created=True)


@bp.get("/webhooks/<uuid:webhook_id>")
@bp.response(200, WebhookSchema)
@bp.doc(operationId="GetWebhook")
@allow(*MANAGERS, scope=SCOPE)
def get_webhook(webhook_id: uuid.UUID) -> Answer:
    """Read one subscription, with its ETag for a later change."""
    record = subscriptions.get_subscription(get_session(), audit_context(), webhook_id)
    return record, 200, _headers(record)


@bp.patch("/webhooks/<uuid:webhook_id>")
@bp.arguments(WebhookUpdateSchema)
@bp.response(200, WebhookCreatedSchema)
@bp.doc(operationId="UpdateWebhook", parameters=[IF_MATCH_PARAMETER])
@allow(*MANAGERS, scope=SCOPE)
def update_webhook(changes: dict[str, Any], webhook_id: uuid.UUID) -> Answer:
    """Change a subscription (If-Match); status active re-enables it; rotate_secret re-keys."""
    record = subscriptions.update_subscription(
        get_session(),
        audit_context(),
        subscription_id=webhook_id,
        expected_version=expected_version(),
        changes=changes,
        settings=_settings(),
        resolver=_resolver(),
        now=utcnow(),
    )
    return record, 200, _headers(record)


@bp.delete("/webhooks/<uuid:webhook_id>")
@bp.response(204)
@bp.doc(operationId="DeleteWebhook")
@allow(*MANAGERS, scope=SCOPE)
def delete_webhook(webhook_id: uuid.UUID) -> None:
    """Delete a subscription; nothing more is delivered to it."""
    subscriptions.delete_subscription(get_session(), audit_context(), subscription_id=webhook_id)


@bp.get("/webhooks/<uuid:webhook_id>/deliveries")
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, WebhookDeliveryPageSchema)
@bp.doc(operationId="ListWebhookDeliveries")
@allow(*MANAGERS, scope=SCOPE)
def list_webhook_deliveries(query: dict[str, Any], webhook_id: uuid.UUID) -> dict[str, Any]:
    """List a subscription's deliveries, newest first, with each one's last attempt."""
    found = subscriptions.list_deliveries(
        get_session(),
        audit_context(),
        subscription_id=webhook_id,
        before=time_id_key(query),
        limit=query["limit"],
    )
    return page(found, limit=query["limit"], key=lambda d: [d.created_at.isoformat(), str(d.id)])


def document(api: FieldappApi) -> None:
    """Name the delivery payload in the components, for the callbacks and generated clients."""
    api.spec.components.schema("WebhookEvent", schema=WebhookEventSchema)
