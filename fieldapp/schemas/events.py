"""Investigation events, each type with its own validated details."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from fieldapp.core.victims_code import EVENT_TYPES
from fieldapp.schemas.base import ApiDate, ApiSchema, UtcDateTime

TEXT = validate.Length(min=1, max=500)


class NoDetails(Schema):
    """Events that need nothing more than their type and time."""

    notes = fields.String(validate=TEXT)


class BailCondition(Schema):
    """One bail condition; those that protect the victim are flagged for the victim's update."""

    text = fields.String(required=True, validate=TEXT)
    protects_victim = fields.Boolean(required=True)


class BailDetails(Schema):
    """Bail or bail varied: conditions and when the suspect must answer bail."""

    conditions = fields.List(fields.Nested(BailCondition), validate=validate.Length(max=30))
    answer_bail_on = ApiDate()
    notes = fields.String(validate=TEXT)


class ChargeDetails(Schema):
    """A charge: what, and where and when the first hearing is."""

    charges = fields.List(
        fields.String(validate=TEXT), required=True, validate=validate.Length(min=1, max=30)
    )
    court_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    hearing_at = UtcDateTime(required=True)
    notes = fields.String(validate=TEXT)


class NoFurtherActionDetails(Schema):
    """No further action: the reasons and who decided (the VRR route depends on it)."""

    reasons = fields.String(required=True, validate=TEXT)
    decision_maker = fields.String(required=True, validate=validate.OneOf(("police", "cps")))


class OutOfCourtDetails(Schema):
    """An out-of-court resolution."""

    outcome = fields.String(
        required=True,
        validate=validate.OneOf(
            ("caution", "conditional_caution", "community_resolution", "penalty_notice")
        ),
    )
    notes = fields.String(validate=TEXT)


class ReasonDetails(Schema):
    """Decisions that must be explained: not investigated, case closed."""

    reasons = fields.String(required=True, validate=TEXT)


class ReferralDetails(Schema):
    """A referral to a support service."""

    service = fields.String(required=True, validate=validate.Length(min=2, max=200))
    notes = fields.String(validate=TEXT)


DETAILS_BY_TYPE: dict[str, type[Schema]] = {
    "crime_recorded": NoDetails,
    "support_referral": ReferralDetails,
    "not_investigated": ReasonDetails,
    "arrested": NoDetails,
    "interviewed": NoDetails,
    "bailed": BailDetails,
    "bail_varied": BailDetails,
    "released_under_investigation": NoDetails,
    "no_further_action": NoFurtherActionDetails,
    "out_of_court_resolution": OutOfCourtDetails,
    "charged": ChargeDetails,
    "case_closed": ReasonDetails,
    "vrr_requested": NoDetails,
    "complaint_received": NoDetails,
}

DETAILS_DOC = (
    "Depends on type. bailed, bail_varied: conditions [{text, protects_victim}], answer_bail_on. "
    "charged: charges [text], court_name, hearing_at. no_further_action: reasons, "
    "decision_maker (police|cps). out_of_court_resolution: outcome (caution, "
    "conditional_caution, community_resolution, penalty_notice). not_investigated, case_closed: "
    "reasons. support_referral: service. Others: notes only."
)


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
        """Validate ``details`` against the schema for the event type."""
        schema = DETAILS_BY_TYPE.get(data.get("type", ""))
        if schema is None:
            return
        try:
            data["details"] = schema().dump(schema().load(data.get("details") or {}))
        except ValidationError as exc:
            raise ValidationError({"details": exc.messages}) from exc


class EventListSchema(ApiSchema):
    """The events on a case, oldest first."""

    value = fields.List(fields.Nested(EventSchema), required=True)
