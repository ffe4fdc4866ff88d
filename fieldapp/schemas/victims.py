"""Victims and other recipients, with their contact preferences and enhanced rights."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import phonenumbers
from marshmallow import ValidationError, fields, validate, validates_schema

from fieldapp.core import addresses
from fieldapp.core.templating.library import CHANNELS
from fieldapp.core.victims_code import contact_times, recipients
from fieldapp.core.victims_code.working_days import LONDON
from fieldapp.schemas.base import ApiDate, ApiSchema, UtcDateTime

RECIPIENT_ROLES = recipients.recipient_roles()
ACCESSIBLE_FORMATS = recipients.accessible_formats()
OPT_OUT_METHODS = ("phone", "in_person", "letter", "email", "sms")
CLOCK = validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="Give a time as HH:MM (24-hour).")
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


class DateOfBirth(ApiDate):
    """A date of birth: after 1900 and not in the future (London's today)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        """Parse the date and refuse one in the future."""
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed > datetime.now(UTC).astimezone(LONDON).date():
            raise ValidationError("A date of birth cannot be in the future.")
        return parsed


class PostalAddress(fields.List[str]):
    """A UK postal address as 3 to 7 lines, the last the postcode (GOV.UK Notify's rules)."""

    def __init__(self, **kwargs: Any) -> None:
        """A list of address lines."""
        super().__init__(fields.String(validate=validate.Length(max=200)), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        """Tidy the lines, refuse what Notify would refuse, and format the postcode."""
        given = [str(line) for line in super()._deserialize(value, attr, data, **kwargs)]
        lines = addresses.tidy_lines(given)
        problems = addresses.address_problems(lines)
        if problems:
            raise ValidationError(problems)
        return addresses.normalise_address(lines)


class ContactWindowSchema(ApiSchema):
    """One weekly window: on these days, from (included) to (excluded), London time."""

    days = fields.List(
        fields.String(validate=validate.OneOf(contact_times.DAYS)),
        required=True,
        validate=validate.Length(min=1, max=7),
    )
    from_ = fields.String(
        required=True,
        data_key="from",
        attribute="from",
        validate=CLOCK,
        metadata={"example": "09:00"},
    )
    to = fields.String(required=True, validate=CLOCK, metadata={"example": "17:30"})


class ContactTimes(fields.List[dict[str, Any]]):
    """Safe contact times: up to 7 weekly windows ``{days, from, to}`` in London time."""

    def __init__(self, **kwargs: Any) -> None:
        """A list of windows."""
        super().__init__(fields.Nested(ContactWindowSchema), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        """Refuse a window that is not well formed (from after to, repeated days), by index."""
        windows: list[Any] = super()._deserialize(value, attr, data, **kwargs)
        problems = contact_times.window_problems(windows)
        if problems:
            raise ValidationError(dict(problems))
        return [{"days": list(w["days"]), "from": w["from"], "to": w["to"]} for w in windows]


class DerivedBasisSchema(ApiSchema):
    """An enhanced-rights basis that follows from the role and age, and why (read-only)."""

    basis = fields.String(required=True, validate=validate.OneOf(ENHANCED_BASES))
    because = fields.String(required=True)


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
    enhanced_derived = fields.List(
        fields.Nested(DerivedBasisSchema),
        required=True,
        metadata={"description": "Bases that follow from the role and age (read-only)."},
    )
    date_of_birth = fields.Date(metadata={"example": "1987-04-12"})
    organisation_name = fields.String()
    postal_address = fields.List(fields.String(), metadata={"description": "Last line: postcode."})
    interpreter_language = fields.String(metadata={"description": "ISO 639-1 code."})
    accessible_format = fields.String(validate=validate.OneOf(ACCESSIBLE_FORMATS))
    needs = fields.String()
    safe_contact_times = fields.List(
        fields.Nested(ContactWindowSchema), metadata={"description": "London time."}
    )
    opted_out = fields.Boolean(required=True, metadata={"description": "Wants no more updates."})
    opted_out_at = UtcDateTime()
    opted_out_how = fields.String(validate=validate.OneOf(OPT_OUT_METHODS))
    opted_out_note = fields.String()
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    deleted = fields.Function(
        lambda victim: victim.deleted_at is not None,
        required=True,
        metadata={
            "type": "boolean",
            "description": "true for an erased recipient (a tombstone in delta sync).",
        },
    )
    deleted_at = UtcDateTime(metadata={"description": "When the recipient was erased."})
    version = fields.Integer(required=True, metadata={"description": "Send as If-Match."})


class VictimQuerySchema(ApiSchema):
    """Delta sync: only recipients changed (or erased) at or after ``updated_since``."""

    updated_since = UtcDateTime()


class VictimChangesSchema(ApiSchema):
    """Fields a caller may set; checks that hold for a create and a change alike."""

    first_name = fields.String(
        validate=validate.Length(min=1, max=80), metadata={"example": "Priya"}
    )
    last_name = fields.String(validate=validate.Length(min=1, max=80), metadata={"example": "Shah"})
    recipient_role = fields.String(validate=validate.OneOf(RECIPIENT_ROLES))
    phone = PhoneNumber(validate=validate.Length(max=40), metadata={"example": "07700 900123"})
    email = fields.Email(
        validate=validate.Length(max=254), metadata={"example": "priya.shah@example.org"}
    )
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
    date_of_birth = DateOfBirth(allow_none=True, metadata={"example": "1987-04-12"})
    organisation_name = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    postal_address = PostalAddress(allow_none=True)
    interpreter_language = fields.String(
        allow_none=True,
        validate=validate.OneOf(
            recipients.interpreter_languages(),
            error="Give an ISO 639-1 code other than en or cy (those are 'language').",
        ),
    )
    accessible_format = fields.String(allow_none=True, validate=validate.OneOf(ACCESSIBLE_FORMATS))
    needs = fields.String(allow_none=True, validate=validate.Length(max=1000))
    safe_contact_times = ContactTimes(allow_none=True)
    opted_out_at = UtcDateTime(allow_none=True)
    opted_out_how = fields.String(allow_none=True, validate=validate.OneOf(OPT_OUT_METHODS))
    opted_out_note = fields.String(allow_none=True, validate=validate.Length(max=1000))

    @validates_schema
    def check_consistency(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Enhanced rights need a basis; the preferred channel must be a safe one if both given."""
        if data.get("enhanced_rights") and not data.get("enhanced_basis", ["?"]):
            raise ValidationError("Say why the victim has enhanced rights.", "enhanced_basis")
        opted_out_at = data.get("opted_out_at")
        if opted_out_at is not None and opted_out_at > datetime.now(UTC):
            raise ValidationError("An opt-out cannot be in the future.", "opted_out_at")
        preferred, safe = data.get("preferred_channel"), data.get("safe_channels")
        if preferred and safe is not None and preferred not in safe:
            raise ValidationError(
                "The preferred channel must be one of the safe channels.", "preferred_channel"
            )


class VictimCreateSchema(VictimChangesSchema):
    """A new recipient: name, role, preferred channel and its safe channels are required."""

    first_name = fields.String(
        required=True, validate=validate.Length(min=1, max=80), metadata={"example": "Priya"}
    )
    last_name = fields.String(
        required=True, validate=validate.Length(min=1, max=80), metadata={"example": "Shah"}
    )
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
