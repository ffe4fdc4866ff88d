"""Performance figures for supervisors and admins: Victims' Code compliance."""

from __future__ import annotations

from typing import Any

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context
from fieldapp.core.roles import ADMIN, SUPERVISOR
from fieldapp.database import get_session
from fieldapp.schemas.metrics import ComplianceQuerySchema, ComplianceReportSchema
from fieldapp.services import compliance
from fieldapp.services.compliance import Report
from fieldapp.web.access import allow
from fieldapp.web.data_sources import read_session, reads_replica

bp = Blueprint("metrics", __name__, url_prefix="/api/v1", description="Performance figures.")


@bp.get("/metrics/compliance")
@bp.doc(operationId="GetComplianceMetrics")
@bp.arguments(ComplianceQuerySchema, location="query")
@bp.response(200, ComplianceReportSchema)
@allow(SUPERVISOR, ADMIN, scope="metrics:read")
@reads_replica
def get_compliance(query: dict[str, Any]) -> Report:
    """Contact duties due in a date range, met on time, late, missed or open, by group.

    Every group comes in one response (groups are few), so there is no paging. A supervisor
    sees their own team; an admin every team, or one with team_id.
    """
    return compliance.compliance_report(
        audit_context(),
        reads=read_session(),
        writes=get_session(),
        start=query.get("start"),
        end=query.get("end"),
        group_by=query["group_by"],
        team_id=query.get("team_id"),
    )
