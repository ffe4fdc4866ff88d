"""Contact duties: the officer's worklist."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from fieldapp.core.victims_code import EVENT_TYPES
from fieldapp.schemas.base import ApiSchema, UtcDateTime
from fieldapp.schemas.paging import LIST_SCOPES, PageQuerySchema

DUTY_STATUSES = ("open", "met", "missed", "not_required")


class RequiredItemSchema(ApiSchema):
    """One piece of information the Code requires the victim be told for a duty."""

    id = fields.String(required=True, metadata={"description": "The item's id in the rule data."})
    label = fields.String(required=True)
    covered = fields.Boolean(
        required=True, metadata={"description": "Given by a sent message or a reached contact."}
    )


class MetBySchema(ApiSchema):
    """The evidence that met a duty."""

    type = fields.String(required=True, validate=validate.OneOf(("message", "contact", "event")))
    id = fields.UUID(required=True)


class DutyEvidenceSchema(ApiSchema):
    """What a duty requires the victim be told, what has been, and what met it."""

    required_items = fields.List(
        fields.Nested(RequiredItemSchema),
        required=True,
        metadata={"description": "Empty: any sent message or reached contact meets the duty."},
    )
    covered_items = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Required items given so far, by messages and contacts together."},
    )
    basis = fields.String(metadata={"description": "The paragraph of the Code the duty is from."})
    clock_from = UtcDateTime(metadata={"description": "The moment the deadline counts from."})
    met_by = fields.Nested(
        MetBySchema, metadata={"description": "The message, contact or event that met it."}
    )


class DutyProgressSchema(DutyEvidenceSchema):
    """Where a duty stands after new evidence: its status and what it still needs."""

    id = fields.UUID(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(DUTY_STATUSES))
    due_at = UtcDateTime(required=True)
    reason = fields.String(metadata={"description": "How it was met, or why it was closed."})
    closed_at = UtcDateTime()
    version = fields.Integer(required=True)


class DutySchema(DutyEvidenceSchema):
    """A duty to tell a victim something by a deadline."""

    id = fields.UUID(required=True)
    case_id = fields.UUID(required=True)
    crime_reference = fields.String(required=True)
    victim_id = fields.UUID(required=True)
    victim_name = fields.String(required=True)
    event_id = fields.UUID(metadata={"description": "Absent for periodic updates."})
    # Dump only: the OneOf documents the values (as EventType), it never refuses a stored row.
    event_type = fields.String(
        validate=validate.OneOf(EVENT_TYPES),
        metadata={"description": "Absent for periodic updates."},
    )
    kind = fields.String(required=True)
    title = fields.String(required=True)
    due_at = UtcDateTime(required=True)
    overdue = fields.Boolean(required=True)
    working_days = fields.Integer(metadata={"description": "Absent for periodic updates."})
    ruleset_version = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(DUTY_STATUSES))
    reason = fields.String(metadata={"description": "Why it was missed or not required."})
    closed_at = UtcDateTime()
    message_id = fields.UUID(
        metadata={"description": "The message that met the duty (the evidence); absent if none."}
    )
    version = fields.Integer(required=True, metadata={"description": "Send as If-Match."})


class DutyQuerySchema(PageQuerySchema):
    """Worklist filters; the list is ordered by deadline, so overdue duties come first."""

    scope = fields.String(load_default="mine", validate=validate.OneOf(LIST_SCOPES))
    status = fields.String(validate=validate.OneOf(DUTY_STATUSES))
    overdue = fields.Boolean(
        metadata={"description": "true: only open duties past their deadline."}
    )
    case_id = fields.UUID()


class DutyUpdateSchema(ApiSchema):
    """Close a duty without a message: missed or not required, always with a reason."""

    status = fields.String(required=True, validate=validate.OneOf(("missed", "not_required")))
    reason = fields.String(
        required=True,
        validate=validate.Length(min=5, max=1000),
        metadata={"example": "The victim asked for no further updates."},
    )

    @validates_schema
    def check_reason(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """A reason of only spaces is no reason."""
        if not data.get("reason", "").strip():
            raise ValidationError("Give a reason.", "reason")


class DutyPageSchema(ApiSchema):
    """One page of duties."""

    value = fields.List(fields.Nested(DutySchema), required=True)
    nextLink = fields.String(  # noqa: N815 - the name Power Platform pages by
        metadata={"description": "Absolute URL of the next page; absent on the last page."}
    )
