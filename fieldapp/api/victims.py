"""Victims and other recipients of updates, with their safe-contact profile."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, current_app

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context
from fieldapp.api.etags import IF_MATCH_PARAMETER, etag_for, expected_version
from fieldapp.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, create_once
from fieldapp.core.roles import CASEWORK
from fieldapp.database import get_session
from fieldapp.models import Victim
from fieldapp.schemas.victims import (
    VictimChangesSchema,
    VictimCreateSchema,
    VictimListSchema,
    VictimQuerySchema,
    VictimSchema,
)
from fieldapp.services import victims
from fieldapp.web.access import allow

bp = Blueprint("victims", __name__, url_prefix="/api/v1", description="Victims and recipients.")
victim_schema = VictimSchema()
ROLES = CASEWORK


@bp.get("/cases/<uuid:case_id>/victims")
@bp.doc(operationId="ListVictims")
@bp.arguments(VictimQuerySchema, location="query")
@bp.response(200, VictimListSchema)
@allow(*ROLES, scope="victims:read")
def list_victims(query: dict[str, Any], case_id: uuid.UUID) -> dict[str, list[Victim]]:
    """List the people who receive updates on a case (with updated_since: changes and erasures)."""
    found = victims.list_victims(
        get_session(), audit_context(), case_id=case_id, updated_since=query.get("updated_since")
    )
    return {"value": found}


@bp.post("/cases/<uuid:case_id>/victims")
@bp.doc(operationId="CreateVictim")
@bp.arguments(VictimCreateSchema)
@bp.response(201, VictimSchema)
@bp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@allow(*ROLES, scope="victims:write")
def create_victim(data: dict[str, Any], case_id: uuid.UUID) -> Any:
    """Add a victim or other recipient to a case."""
    result = create_once(
        lambda: victims.create_victim(
            get_session(),
            audit_context(),
            case_id=case_id,
            data=data,
            witness_care_in_app=current_app.config["WITNESS_CARE_IN_APP"],
        ),
        schema=victim_schema,
        resource_type=victims.RESOURCE,
        read=lambda found: victims.get_victim(get_session(), audit_context(), uuid.UUID(found)),
    )
    return result if isinstance(result, Response) else (result, 201, _etag(result))


@bp.get("/victims/<uuid:victim_id>")
@bp.doc(operationId="GetVictim")
@bp.response(200, VictimSchema)
@allow(*ROLES, scope="victims:read")
def get_victim(victim_id: uuid.UUID) -> tuple[Victim, int, dict[str, str]]:
    """Read one recipient, with its ETag."""
    victim = victims.get_victim(get_session(), audit_context(), victim_id)
    return victim, 200, _etag(victim)


@bp.patch("/victims/<uuid:victim_id>")
@bp.doc(operationId="UpdateVictim")
@bp.arguments(VictimChangesSchema)
@bp.response(200, VictimSchema)
@bp.doc(parameters=[IF_MATCH_PARAMETER])
@allow(*ROLES, scope="victims:write")
def update_victim(
    changes: dict[str, Any], victim_id: uuid.UUID
) -> tuple[Victim, int, dict[str, str]]:
    """Change a recipient; a change of enhanced rights recomputes their open deadlines."""
    victim = victims.update_victim(
        get_session(),
        audit_context(),
        victim_id=victim_id,
        expected_version=expected_version(),
        changes=changes,
    )
    return victim, 200, _etag(victim)


@bp.delete("/victims/<uuid:victim_id>")
@bp.doc(operationId="EraseVictim")
@bp.response(204)
@bp.doc(parameters=[IF_MATCH_PARAMETER])
@allow(*ROLES)
def erase_victim(victim_id: uuid.UUID) -> None:
    """Erase a recipient added by mistake; their open duties close as not required."""
    victims.erase_victim(
        get_session(), audit_context(), victim_id=victim_id, expected_version=expected_version()
    )


def _etag(victim: Victim) -> dict[str, str]:
    """The ETag header of a recipient."""
    return {"ETag": etag_for(victim.version)}
