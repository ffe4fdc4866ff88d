"""Investigation events on a case; recording one creates the victims' contact duties."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context
from fieldapp.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, create_once
from fieldapp.core.roles import ADMIN, OFFICER, SUPERVISOR
from fieldapp.database import get_session
from fieldapp.models import InvestigationEvent
from fieldapp.schemas.events import EventCreateSchema, EventListSchema, EventSchema
from fieldapp.services import events
from fieldapp.web.access import allow

bp = Blueprint("events", __name__, url_prefix="/api/v1", description="Investigation events.")
event_schema = EventSchema()
#: The body example in the OpenAPI document: a charge, with its hearing and bail conditions.
CHARGED_EXAMPLE = {
    "type": "charged",
    "occurred_at": "2026-11-30T14:05:00Z",
    "details": {
        "charges": ["Burglary of a dwelling (Theft Act 1968, s.9)"],
        "court_name": "Northtown Magistrates' Court",
        "court_address": "1 Court Street, Northtown NT1 1AA",
        "hearing_at": "2026-12-14T10:00:00Z",
        "remand_status": "bail_with_conditions",
        "conditions": [
            {"type": "no_contact", "person": "Priya Shah", "protects_victim": True},
            {"type": "curfew", "from_time": "19:00", "to_time": "07:00", "protects_victim": False},
        ],
    },
}
ROLES = (OFFICER, SUPERVISOR, ADMIN)


@bp.get("/cases/<uuid:case_id>/events")
@bp.doc(operationId="ListEvents")
@bp.response(200, EventListSchema)
@allow(*ROLES, scope="events:read")
def list_events(case_id: uuid.UUID) -> dict[str, list[InvestigationEvent]]:
    """List a case's events in the order they happened."""
    return {"value": events.list_events(get_session(), audit_context(), case_id=case_id)}


@bp.post("/cases/<uuid:case_id>/events")
@bp.doc(operationId="RecordEvent")
@bp.arguments(EventCreateSchema, example=CHARGED_EXAMPLE)
@bp.response(201, EventSchema)
@bp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@allow(*ROLES, scope="events:write")
def record_event(data: dict[str, Any], case_id: uuid.UUID) -> Any:
    """Record what happened (arrest, charge, ...); each victim gets a duty with a deadline."""
    result = create_once(
        lambda: events.record_event(
            get_session(),
            audit_context(),
            case_id=case_id,
            data=data,
            witness_care_in_app=current_app.config["WITNESS_CARE_IN_APP"],
        ),
        schema=event_schema,
        resource_type=events.RESOURCE,
        read=lambda found: events.get_event(get_session(), audit_context(), uuid.UUID(found)),
    )
    return result if not isinstance(result, InvestigationEvent) else (result, 201)
