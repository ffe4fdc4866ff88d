"""The audit trail, for auditors and admins; reading it is itself audited."""

from __future__ import annotations

from typing import Any

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context
from fieldapp.api.paging import cursor_key, page
from fieldapp.core.roles import ADMIN, AUDITOR
from fieldapp.database import get_session
from fieldapp.schemas.audit import AuditPageSchema, AuditQuerySchema
from fieldapp.services import audit
from fieldapp.web.access import allow
from fieldapp.web.data_sources import read_session, reads_replica

bp = Blueprint("audit", __name__, url_prefix="/api/v1", description="The audit trail.")


@bp.get("/audit")
@bp.doc(operationId="ListAuditRecords")
@bp.arguments(AuditQuerySchema, location="query")
@bp.response(200, AuditPageSchema)
@allow(AUDITOR, ADMIN)
@reads_replica
def list_audit(query: dict[str, Any]) -> dict[str, Any]:
    """Search the audit trail by actor, resource, operation, outcome and time."""
    after = cursor_key(query, types=(int,))
    found = audit.read_trail(
        audit_context(),
        reads=read_session(),
        writes=get_session(),
        actor_id=query.get("actor_id"),
        resource_type=query.get("resource_type"),
        resource_id=query.get("resource_id"),
        operation=query.get("operation"),
        outcome=query.get("outcome"),
        since=query.get("since"),
        until=query.get("until"),
        after_seq=after[0] if after else None,
        limit=query["limit"],
    )
    return page(found, limit=query["limit"], key=lambda record: [record.seq])
