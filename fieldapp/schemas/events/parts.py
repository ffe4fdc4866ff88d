"""The parts several event details share: a bail condition, reasons, notes and court times.

The closed lists come from the wording data in ``fieldapp.core.templating`` (the words a victim
reads for each code), so a code the API accepts always has words in English and Welsh.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from fieldapp.core.templating.wording import condition_rules, condition_types, reason_codes
from fieldapp.schemas.base import DescribedSchema

TEXT = validate.Length(min=1, max=500)
NAME = validate.Length(min=2, max=200)
OTHER = "other"
CLOCK = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Give a time as HH:MM, such as 19:00.")
MAX_CONDITIONS = 30


def notes_field() -> fields.String:
    """Optional free-text notes for the record (never merged into a message)."""
    return fields.String(validate=TEXT)


def closed(codes: tuple[str, ...], *, required: bool = False) -> fields.String:
    """A value from a closed list."""
    return fields.String(required=required, validate=validate.OneOf(codes))


class BailCondition(DescribedSchema):
    """One bail condition as data; those that protect the victim go in the victim's update.

    ``{text, protects_victim}`` without a type, as recorded before types existed, is ``other``.
    """

    type = fields.String(load_default=OTHER, validate=validate.OneOf(condition_types()))
    area = fields.String(validate=NAME)
    address = fields.String(validate=NAME)
    person = fields.String(validate=NAME)
    from_time = fields.String(validate=CLOCK)
    to_time = fields.String(validate=CLOCK)
    text = fields.String(validate=TEXT)
    protects_victim = fields.Boolean(required=True)

    @validates_schema
    def check_required_for_type(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Each type's own required fields (a curfew's times, an area's name, other's text)."""
        rules = condition_rules().get(data.get("type", OTHER))
        needed = () if rules is None else rules["required"]
        missing = {name: [f"Required for a {data['type']} condition."] for name in needed}
        missing = {name: message for name, message in missing.items() if not data.get(name)}
        if missing:
            raise ValidationError(missing)


def condition_list(**kwargs: Any) -> fields.List[Any]:
    """A list of bail conditions."""
    return fields.List(
        fields.Nested(BailCondition), validate=validate.Length(max=MAX_CONDITIONS), **kwargs
    )


def reason_code_list(event_type: str, *, required: bool = False) -> fields.List[Any]:
    """Reason codes from the closed list for an event type."""
    return fields.List(
        closed(reason_codes(event_type)),
        required=required,
        validate=validate.Length(min=1 if required else 0, max=10),
    )


class ReasonRule(DescribedSchema):
    """Reasons as codes, free text or both; the code ``other`` needs the free text to say it."""

    # Whether a decision must come with at least one reason (codes or text).
    reasons_required = True

    @validates_schema(skip_on_field_errors=False, pass_original=True)  # every fault in one 422
    def check_reasons(self, data: dict[str, Any], original: Any, **_kwargs: Any) -> None:
        """Refuse a decision with no reason, and ``other`` with nothing to say what it is."""
        # Codes as sent: an unknown code is its own error, not also "no reason given".
        sent = original.get("reason_codes") if isinstance(original, dict) else None
        codes = data.get("reason_codes") or (sent if isinstance(sent, list) else ())
        if data.get("reasons"):
            return
        if OTHER in codes:
            raise ValidationError("Say what the other reason is.", "reasons")
        if self.reasons_required and not codes:
            raise ValidationError("Give reason_codes, reasons or both.", "reasons")
