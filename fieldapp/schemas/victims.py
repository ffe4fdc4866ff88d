"""Victims and other recipients, with their contact preferences and enhanced rights."""

from __future__ import annotations

from typing import Any

import phonenumbers
from marshmallow import ValidationError, fields, validate, validates_schema

from fieldapp.core.templating.library import CHANNELS
from fieldapp.schemas.base import ApiSchema, UtcDateTime

RECIPIENT_ROLES = (
    "victim",
    "parent_guardian",
    "family_spokesperson",
    "business_contact",
    "representative",
)
# The victim's preference; a template is written in one of TEMPLATE_LANGUAGES (en, cy).
LANGUAGE_PREFERENCES = ("en", "cy", "bilingual")
# Ofcom reserves 07700 900000 to 900999 for drama; fieldapp's demo and training data use them.
OFCOM_DRAMA_MOBILES = "+447700900"
ENHANCED_BASES = (
    "most_serious",
    "persistently_targeted",
    "vulnerable",
    "intimidated",
    "discretionary",
)


class PhoneNumber(fields.String):
    """A phone number, stored in E.164 form; UK numbers may be given in national form."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        """Parse with phonenumbers (region GB) and refuse anything not a valid number."""
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parsed = phonenumbers.parse(text, "GB")
        except phonenumbers.NumberParseException as exc:
            raise ValidationError("Not a phone number.") from exc
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if not (phonenumbers.is_valid_number(parsed) or e164.startswith(OFCOM_DRAMA_MOBILES)):
            raise ValidationError("Not a valid phone number.")
        return e164


class VictimSchema(ApiSchema):
    """A recipient of updates on a case."""

    id = fields.UUID(required=True)
    case_id = fields.UUID(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    recipient_role = fields.String(required=True, validate=validate.OneOf(RECIPIENT_ROLES))
    phone = fields.String(metadata={"description": "E.164; absent when not recorded."})
    email = fields.String(metadata={"description": "Absent when not recorded."})
    preferred_channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    safe_channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), required=True)
    contentless = fields.Boolean(
        required=True, metadata={"description": "Only 'please call' messages, no case content."}
    )
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGE_PREFERENCES))
    enhanced_rights = fields.Boolean(required=True)
    enhanced_basis = fields.List(
        fields.String(validate=validate.OneOf(ENHANCED_BASES)), required=True
    )
    update_frequency_days = fields.Integer(
        metadata={"description": "Agreed days between updates; absent when none agreed."}
    )
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    deleted = fields.Function(
        lambda victim: victim.deleted_at is not None,
        required=True,
        metadata={"description": "true for an erased recipient (a tombstone in delta sync)."},
    )
    deleted_at = UtcDateTime(metadata={"description": "When the recipient was erased."})
    version = fields.Integer(required=True, metadata={"description": "Send as If-Match."})


class VictimQuerySchema(ApiSchema):
    """Delta sync: only recipients changed (or erased) at or after ``updated_since``."""

    updated_since = UtcDateTime()


class VictimChangesSchema(ApiSchema):
    """Fields a caller may set; checks that hold for a create and a change alike."""

    first_name = fields.String(validate=validate.Length(min=1, max=80))
    last_name = fields.String(validate=validate.Length(min=1, max=80))
    recipient_role = fields.String(validate=validate.OneOf(RECIPIENT_ROLES))
    phone = PhoneNumber(validate=validate.Length(max=40))
    email = fields.Email(validate=validate.Length(max=254))
    preferred_channel = fields.String(validate=validate.OneOf(CHANNELS))
    safe_channels = fields.List(
        fields.String(validate=validate.OneOf(CHANNELS)), validate=validate.Length(max=3)
    )
    contentless = fields.Boolean()
    language = fields.String(validate=validate.OneOf(LANGUAGE_PREFERENCES))
    enhanced_rights = fields.Boolean()
    enhanced_basis = fields.List(
        fields.String(validate=validate.OneOf(ENHANCED_BASES)), validate=validate.Length(max=5)
    )
    update_frequency_days = fields.Integer(validate=validate.Range(min=1, max=365))

    @validates_schema
    def check_consistency(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Enhanced rights need a basis; the preferred channel must be a safe one if both given."""
        if data.get("enhanced_rights") and not data.get("enhanced_basis", ["?"]):
            raise ValidationError("Say why the victim has enhanced rights.", "enhanced_basis")
        preferred, safe = data.get("preferred_channel"), data.get("safe_channels")
        if preferred and safe is not None and preferred not in safe:
            raise ValidationError(
                "The preferred channel must be one of the safe channels.", "preferred_channel"
            )


class VictimCreateSchema(VictimChangesSchema):
    """A new recipient: name, role, preferred channel and its safe channels are required."""

    first_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    recipient_role = fields.String(load_default="victim", validate=validate.OneOf(RECIPIENT_ROLES))
    preferred_channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    safe_channels = fields.List(
        fields.String(validate=validate.OneOf(CHANNELS)),
        required=True,
        validate=validate.Length(min=1, max=3),
    )


class VictimListSchema(ApiSchema):
    """The recipients on a case."""

    value = fields.List(fields.Nested(VictimSchema), required=True)
