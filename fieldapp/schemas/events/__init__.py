"""Investigation events, each type with its own validated details (see ``details``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from fieldapp.core.victims_code import EVENT_TYPES
from fieldapp.schemas.base import ApiSchema, UtcDateTime
from fieldapp.schemas.events.details import DETAILS_BY_TYPE
from fieldapp.schemas.events.doc import DETAILS_DOC

__all__ = [
    "DETAILS_BY_TYPE",
    "DETAILS_DOC",
    "EventCreateSchema",
    "EventListSchema",
    "EventSchema",
]

RECEIVED_AT = "received_at"
# Moments in the details that follow the event: news is received, hearings held and decisions
# made after it.
NOT_BEFORE_EVENT = {
    RECEIVED_AT: "Received before it happened: give a time on or after occurred_at.",
    "hearing_at": "The hearing cannot be before the event: give a time after occurred_at.",
    "decision_due_at": "The decision cannot be due before the event: give a later time.",
}


class EventSchema(ApiSchema):
    """A recorded event."""

    id = fields.UUID(required=True)
    case_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    occurred_at = UtcDateTime(required=True)
    recorded_at = UtcDateTime(required=True)
    recorded_by_id = fields.UUID(required=True)
    details = fields.Dict(
        keys=fields.String(), required=True, metadata={"description": DETAILS_DOC}
    )
    duties_created = fields.Integer(
        metadata={"description": "How many contact duties recording it created."}
    )


class EventCreateSchema(ApiSchema):
    """A new event; deadlines count from ``occurred_at``, not from when it is typed."""

    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    occurred_at = UtcDateTime(required=True)
    details = fields.Dict(
        keys=fields.String(), load_default=dict, metadata={"description": DETAILS_DOC}
    )

    @validates_schema
    def check_details(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Validate ``details`` against the schema for the event type, stored as it dumps."""
        schema = DETAILS_BY_TYPE.get(data.get("type", ""))
        if schema is None:
            return
        try:
            details = schema().load(data.get("details") or {})
            _check_times(details, data.get("occurred_at"), schema)
        except ValidationError as exc:
            raise ValidationError({"details": exc.messages}) from exc
        data["details"] = schema().dump(details)


def _check_times(
    details: dict[str, Any], occurred_at: datetime | None, schema: type[Schema]
) -> None:
    """Times in the details that cannot come before the event; ``received_at`` defaults to it."""
    if occurred_at is None:
        return
    if RECEIVED_AT in schema().fields:
        details.setdefault(RECEIVED_AT, occurred_at)
    early = {
        name: [message]
        for name, message in NOT_BEFORE_EVENT.items()
        if isinstance(details.get(name), datetime) and details[name] < occurred_at
    }
    if early:
        raise ValidationError(early)


class EventListSchema(ApiSchema):
    """The events on a case, oldest first."""

    value = fields.List(fields.Nested(EventSchema), required=True)
