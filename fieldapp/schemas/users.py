"""User accounts and teams, as admins manage them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError, fields, validate

from fieldapp.core.roles import ROLES
from fieldapp.schemas.base import ApiSchema, TrimmedLength, UtcDateTime
from fieldapp.schemas.victims import PhoneNumber
from fieldapp.services.passwords import COMMON_PASSWORD_MESSAGE, is_common_password

USERNAME = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$",
    error="Use 3 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit.",
)


def _not_common(password: str) -> None:
    """Refuse the most common and breached passwords (ASVS 2.1.7)."""
    if is_common_password(password):
        raise ValidationError(COMMON_PASSWORD_MESSAGE)


TEAM_REFERENCE = "The team's id (the `team_id` answers give) or its name; the team must exist."

PASSWORD: list[Callable[[Any], Any]] = [
    validate.Length(min=12, max=128, error="Use 12 to 128 characters."),
    _not_common,
]


class TeamSchema(ApiSchema):
    """A team."""

    id = fields.UUID(dump_only=True)
    name = fields.String(
        required=True,
        validate=TrimmedLength(min=1, max=80),
        metadata={"example": "Northtown Neighbourhood Team"},
    )
    created_at = UtcDateTime(dump_only=True)


class TeamListSchema(ApiSchema):
    """Every team."""

    value = fields.List(fields.Nested(TeamSchema), required=True)


class UserSchema(ApiSchema):
    """An account; never includes the password hash."""

    id = fields.UUID(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    team = fields.Function(
        lambda user: user.team.name,
        required=True,
        metadata={"type": "string", "description": "The team's name."},
    )
    team_id = fields.UUID(required=True)
    rank = fields.String(metadata={"description": "Absent when not recorded."})
    collar_number = fields.String(metadata={"description": "Absent when not recorded."})
    phone = fields.String(
        metadata={"description": "Work phone victims may call (E.164); absent when not recorded."}
    )
    disabled = fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "Send as If-Match."})


class UserCreateSchema(ApiSchema):
    """A new account; the team must exist."""

    username = fields.String(required=True, validate=USERNAME, metadata={"example": "pc.ashworth"})
    password = fields.String(
        required=True,
        load_only=True,
        validate=PASSWORD,
        metadata={"example": "Tidal-Ember-Quartz-Lantern-91"},
    )
    display_name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=120),
        metadata={"example": "Sam Ashworth"},
    )
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    team = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80),
        metadata={"description": TEAM_REFERENCE, "example": "Northtown Neighbourhood Team"},
    )
    rank = fields.String(validate=validate.Length(max=40), metadata={"example": "PC"})
    collar_number = fields.String(validate=validate.Length(max=20), metadata={"example": "4521"})
    phone = PhoneNumber(
        metadata={"example": "07700 900456", "description": "Work phone victims may call."}
    )


class UserUpdateSchema(ApiSchema):
    """Changes to an account; changing role, team, password or status signs them out."""

    display_name = fields.String(
        validate=validate.Length(min=1, max=120), metadata={"example": "Sam Ashworth"}
    )
    role = fields.String(validate=validate.OneOf(ROLES))
    team = fields.String(
        validate=validate.Length(min=1, max=80), metadata={"description": TEAM_REFERENCE}
    )
    rank = fields.String(validate=validate.Length(max=40))
    collar_number = fields.String(validate=validate.Length(max=20))
    phone = PhoneNumber(metadata={"description": "Work phone victims may call."})
    disabled = fields.Boolean()
    password = fields.String(load_only=True, validate=PASSWORD)


class UserPageSchema(ApiSchema):
    """One page of accounts."""

    value = fields.List(fields.Nested(UserSchema), required=True)
    nextLink = fields.String(  # noqa: N815 - the name Power Platform pages by
        metadata={"description": "Absolute URL of the next page; absent on the last page."}
    )
