"""The officer's worklist of Victims' Code contact duties."""

from __future__ import annotations

import uuid
from typing import Any

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context
from fieldapp.api.etags import IF_MATCH_PARAMETER, etag_for, expected_version
from fieldapp.api.paging import page, time_id_key
from fieldapp.core.roles import ADMIN, OFFICER, SUPERVISOR
from fieldapp.database import get_session
from fieldapp.models.base import utcnow
from fieldapp.schemas.duties import DutyPageSchema, DutyQuerySchema, DutySchema, DutyUpdateSchema
from fieldapp.services import duties, evidence
from fieldapp.services.duties import DutyRow
from fieldapp.web.access import allow

bp = Blueprint("duties", __name__, url_prefix="/api/v1", description="Contact duties.")
ROLES = (OFFICER, SUPERVISOR, ADMIN)


def _flat(row: DutyRow) -> dict[str, Any]:
    """One worklist line: the duty with its case, victim and event named."""
    duty, case, victim, event = row
    return {
        **{c: getattr(duty, c) for c in ("id", "case_id", "victim_id", "event_id", "kind", "title",
                                          "due_at", "working_days", "ruleset_version", "status",
                                          "reason", "closed_at", "message_id", "version")},
        "crime_reference": case.crime_reference,
        "victim_name": f"{victim.first_name} {victim.last_name}",
        "event_type": event.type if event else None,
        "overdue": duty.status == "open" and duty.due_at < utcnow(),
        **evidence.describe(duty, event_type=event.type if event else None,
                            recipient_role=victim.recipient_role),
    }  # fmt: skip


@bp.get("/duties")
@bp.doc(operationId="ListDuties")
@bp.arguments(DutyQuerySchema, location="query")
@bp.response(200, DutyPageSchema)
@allow(*ROLES, scope="duties:read")
def list_duties(query: dict[str, Any]) -> dict[str, Any]:
    """My (or my team's) duties, earliest deadline first, so overdue ones lead."""
    rows = duties.list_duties(
        get_session(),
        audit_context(),
        mine=query["scope"] == "mine",
        status=query.get("status"),
        overdue=query.get("overdue", False),
        case_id=query.get("case_id"),
        after=time_id_key(query),
        limit=query["limit"],
    )
    flat = [_flat(row) for row in rows]
    return page(flat, limit=query["limit"], key=lambda d: [d["due_at"].isoformat(), str(d["id"])])


@bp.patch("/duties/<uuid:duty_id>")
@bp.doc(operationId="CloseDuty")
@bp.arguments(DutyUpdateSchema)
@bp.response(200, DutySchema)
@bp.doc(parameters=[IF_MATCH_PARAMETER])
@allow(*ROLES, scope="duties:write")
def update_duty(
    changes: dict[str, Any], duty_id: uuid.UUID
) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Mark a duty missed or not required, with the reason."""
    row = duties.close_duty(
        get_session(),
        audit_context(),
        duty_id=duty_id,
        expected_version=expected_version(),
        changes=changes,
    )
    return _flat(row), 200, {"ETag": etag_for(row[0].version)}
