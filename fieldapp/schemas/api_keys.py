"""API keys for integrations, as admins create and list them (the key itself only once)."""

from __future__ import annotations

from limits import parse_many
from marshmallow import ValidationError, fields, validate
from marshmallow.validate import Validator

from fieldapp.core.scopes import SCOPES
from fieldapp.schemas.base import ApiSchema, UtcDateTime

DEFAULT_RATE_LIMIT = "120/minute"
_SCOPE_LIST = ", ".join(SCOPES)


class RateLimitString(Validator):
    """A flask-limiter rate such as '120/minute' or '1000/hour'."""

    def __call__(self, value: str) -> str:
        """Refuse anything the limiter could not parse, or more than one rate."""
        try:
            rates = parse_many(value)
        except ValueError as exc:
            raise ValidationError("Give a rate such as '120/minute' or '1000/hour'.") from exc
        if len(rates) != 1:
            raise ValidationError("Give one rate, such as '120/minute'.")
        return value


class ApiKeySchema(ApiSchema):
    """An integration key as listed: never the key itself, nor its hash."""

    id = fields.UUID(required=True)
    name = fields.String(required=True)
    prefix = fields.Function(
        lambda key: f"fa_{key.prefix}",
        required=True,
        metadata={"type": "string", "description": "The start of the key, to tell keys apart."},
    )
    user_id = fields.UUID(required=True, metadata={"description": "The user the key acts for."})
    username = fields.Function(
        lambda key: key.user.username, required=True, metadata={"type": "string"}
    )
    scopes = fields.List(fields.String(), required=True)
    rate_limit = fields.String(required=True)
    created_by_id = fields.UUID(required=True)
    created_at = UtcDateTime(required=True)
    last_used_at = UtcDateTime(metadata={"description": "To the minute; absent if never used."})
    expires_at = UtcDateTime(metadata={"description": "Absent when the key does not expire."})
    revoked_at = UtcDateTime(metadata={"description": "Absent while the key is live."})


class ApiKeyCreatedSchema(ApiKeySchema):
    """A new key, with the key itself: shown in this response only, never again."""

    # Not required: an idempotent replay answers 201 again, but the key is never shown twice.
    key = fields.String(
        metadata={
            "description": (
                "Send as 'X-API-Key'. Shown once: only a hash is stored, and a replay of this "
                "create (same Idempotency-Key, header Idempotent-Replayed) answers without it."
            )
        },
    )


class ApiKeyCreateSchema(ApiSchema):
    """A new key: who it acts for, what it may do, and how often."""

    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80),
        metadata={"example": "Duty app (Power Apps)"},
    )
    user_id = fields.UUID(required=True, metadata={"description": "The user the key acts for."})
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)),
        required=True,
        validate=validate.Length(min=1, max=len(SCOPES)),
        metadata={
            "example": ["cases:read", "duties:read"],
            "description": f"One or more of: {_SCOPE_LIST}.",
        },
    )
    rate_limit = fields.String(
        load_default=DEFAULT_RATE_LIMIT,
        validate=[validate.Length(max=40), RateLimitString()],
        metadata={"description": f"Calls allowed to this key, default '{DEFAULT_RATE_LIMIT}'."},
    )
    expires_at = UtcDateTime(metadata={"description": "Optional; the key stops working then."})


class ApiKeyPageSchema(ApiSchema):
    """One page of keys."""

    value = fields.List(fields.Nested(ApiKeySchema), required=True)
    nextLink = fields.String(  # noqa: N815 - the name Power Platform pages by
        metadata={"description": "Absolute URL of the next page; absent on the last page."}
    )
