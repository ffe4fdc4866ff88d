"""Webhook subscriptions, their deliveries, and the event payload a delivery posts."""

from __future__ import annotations

from marshmallow import fields, validate

from fieldapp.core.webhook_events import EVENT_TYPES
from fieldapp.core.webhook_urls import MAX_URL_LENGTH
from fieldapp.schemas.base import ApiSchema, UtcDateTime

_EVENT_LIST = ", ".join(EVENT_TYPES)
STATUSES = ("active", "disabled")
DELIVERY_STATUSES = ("pending", "delivered", "abandoned", "cancelled")


def _events_field(*, required: bool) -> fields.List[str]:
    """The list of event types a subscription receives."""
    return fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        required=required,
        validate=validate.Length(min=1, max=len(EVENT_TYPES)),
        metadata={"description": f"One or more of: {_EVENT_LIST}."},
    )


def _url_field(*, required: bool) -> fields.String:
    """Where deliveries go."""
    return fields.String(
        required=required,
        validate=validate.Length(min=1, max=MAX_URL_LENGTH),
        metadata={
            "description": (
                "An https:// URL on a public address (private, loopback, link-local and metadata "
                "addresses are refused, now and at every delivery). Redirects are not followed."
            ),
            "example": "https://integrations.example.police.uk/fieldapp/events",
        },
    )


class WebhookSchema(ApiSchema):
    """A subscription: where, which events, and how its deliveries are going."""

    id = fields.UUID(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    description = fields.String(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(STATUSES),
        metadata={"description": "active, or disabled (by hand, or after repeated failures)."},
    )
    created_at = UtcDateTime(required=True)
    created_by_id = fields.UUID(
        required=True, metadata={"description": "The owner: events are limited to what they see."}
    )
    consecutive_failures = fields.Integer(required=True)
    disabled_at = UtcDateTime()
    disabled_reason = fields.String()
    last_delivery_at = UtcDateTime(metadata={"description": "The last attempt, if any."})
    last_success_at = UtcDateTime(metadata={"description": "The last 2xx answer, if any."})
    version = fields.Integer(required=True, metadata={"description": "Also the ETag."})


class WebhookCreatedSchema(WebhookSchema):
    """A new (or re-keyed) subscription with its signing secret, shown in this response only."""

    secret = fields.String(
        metadata={
            "description": (
                "The signing secret (HMAC-SHA256, see Fieldapp-Signature). Shown once: keep it. "
                "A replay of the create (Idempotent-Replayed) answers without it."
            )
        }
    )


class WebhookCreateSchema(ApiSchema):
    """A new subscription."""

    url = _url_field(required=True)
    events = _events_field(required=True)
    description = fields.String(validate=validate.Length(max=500), load_default="")


class WebhookUpdateSchema(ApiSchema):
    """Changes to a subscription; ``status: active`` re-enables it and resets its failures."""

    url = _url_field(required=False)
    events = _events_field(required=False)
    description = fields.String(validate=validate.Length(max=500))
    status = fields.String(validate=validate.OneOf(STATUSES))
    rotate_secret = fields.Boolean(
        metadata={"description": "true: issue a new secret (in this response only)."}
    )


class WebhookPageSchema(ApiSchema):
    """One page of subscriptions."""

    value = fields.List(fields.Nested(WebhookSchema), required=True)
    nextLink = fields.String(  # noqa: N815 - the name Power Platform pages by
        metadata={"description": "Absolute URL of the next page; absent on the last page."}
    )


class WebhookDeliverySchema(ApiSchema):
    """One event's delivery to a subscription, with its last attempt."""

    id = fields.UUID(required=True)
    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(DELIVERY_STATUSES),
        metadata={
            "description": (
                "pending (next attempt at next_attempt_at), delivered, abandoned (gave up after "
                "the last attempt) or cancelled (subscription disabled, or owner may not see it)."
            )
        },
    )
    attempts = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    next_attempt_at = fields.Method("_next_attempt", metadata={"format": "date-time"})
    last_attempt_at = UtcDateTime()
    last_status_code = fields.Integer(metadata={"description": "The receiver's HTTP status."})
    last_error = fields.String(metadata={"description": "Why the last attempt failed."})
    delivered_at = UtcDateTime()

    def _next_attempt(self, delivery: object) -> str | None:
        """When a pending delivery is tried next."""
        if getattr(delivery, "status", None) != "pending":
            return None
        moment = getattr(delivery, "available_at", None)
        return UtcDateTime()._serialize(moment, None, delivery)


class WebhookDeliveryPageSchema(ApiSchema):
    """One page of deliveries, newest first."""

    value = fields.List(fields.Nested(WebhookDeliverySchema), required=True)
    nextLink = fields.String(  # noqa: N815 - the name Power Platform pages by
        metadata={"description": "Absolute URL of the next page; absent on the last page."}
    )


class WebhookEventDataSchema(ApiSchema):
    """What an event is about: ids and non-personal fields, only those that apply."""

    case_id = fields.UUID()
    crime_reference = fields.String()
    team_id = fields.UUID()
    duty_id = fields.UUID()
    duty_kind = fields.String()
    due_at = UtcDateTime()
    victim_id = fields.UUID()
    message_id = fields.UUID()
    message_status = fields.String()
    channel = fields.String()
    template_key = fields.String()
    template_version = fields.Integer()


class WebhookEventSchema(ApiSchema):
    """The JSON body of each delivery (signed: see the Fieldapp-Signature header)."""

    id = fields.UUID(required=True, metadata={"description": "The event id (also a header)."})
    type = fields.String(
        required=True,
        validate=validate.OneOf(EVENT_TYPES),
        metadata={"description": f"One of: {_EVENT_LIST}."},
    )
    occurred_at = UtcDateTime(required=True)
    data = fields.Nested(WebhookEventDataSchema, required=True)
