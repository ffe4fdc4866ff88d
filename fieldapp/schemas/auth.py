"""Sign-in, tokens, the caller and their device sessions."""

from __future__ import annotations

from marshmallow import fields, validate

from fieldapp.schemas.base import ApiSchema, UtcDateTime


class LoginSchema(ApiSchema):
    """Credentials and a name for the device, shown later in the session list."""

    username = fields.String(
        required=True, validate=validate.Length(min=1, max=256), metadata={"example": "pc.ashworth"}
    )
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=256),
        metadata={"example": "Tidal-Ember-Quartz-Lantern-91"},
    )
    device_name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=120),
        metadata={
            "example": "Work phone",
            "description": "A name the officer will recognise, e.g. 'Work phone'.",
        },
    )


class TokenPairSchema(ApiSchema):
    """An access token (about 15 minutes) and a one-use refresh token."""

    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"description": "Always 'Bearer'."})
    expires_in = fields.Integer(
        required=True, metadata={"description": "Seconds until the access token expires."}
    )


class MeSchema(ApiSchema):
    """The signed-in user as the app shows them."""

    id = fields.UUID(attribute="user_id", required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True)
    team = fields.String(attribute="team_name", required=True)
    team_id = fields.UUID(required=True)
    rank = fields.String(metadata={"description": "Absent when not recorded."})
    collar_number = fields.String(metadata={"description": "Absent when not recorded."})


class DeviceSessionSchema(ApiSchema):
    """One signed-in device."""

    id = fields.UUID(required=True)
    device_name = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    last_seen_at = UtcDateTime(
        required=True, metadata={"description": "The last sign-in or token refresh."}
    )
    expires_at = UtcDateTime(required=True)
    current = fields.Boolean(
        required=True, metadata={"description": "Whether this is the device asking."}
    )


class DeviceSessionListSchema(ApiSchema):
    """The caller's signed-in devices."""

    value = fields.List(fields.Nested(DeviceSessionSchema), required=True)
