"""Cases: list (paged, delta sync), open, read and change, scoped to the caller's team."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context
from fieldapp.api.etags import IF_MATCH_PARAMETER, etag_for, expected_version
from fieldapp.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, create_once
from fieldapp.api.paging import page, time_id_key
from fieldapp.core.roles import ADMIN, OFFICER, SUPERVISOR
from fieldapp.database import get_session
from fieldapp.models import Case
from fieldapp.schemas.cases import (
    CaseCreateSchema,
    CasePageSchema,
    CaseQuerySchema,
    CaseSchema,
    CaseUpdateSchema,
)
from fieldapp.services import cases
from fieldapp.web.access import allow

bp = Blueprint("cases", __name__, url_prefix="/api/v1", description="Cases.")
case_schema = CaseSchema()
CASE_ROLES = (OFFICER, SUPERVISOR, ADMIN)

Created = tuple[Case, int, dict[str, str]] | Response


@bp.get("/cases")
@bp.doc(operationId="ListCases")
@bp.arguments(CaseQuerySchema, location="query")
@bp.response(200, CasePageSchema)
@allow(*CASE_ROLES, scope="cases:read")
def list_cases(query: dict[str, Any]) -> dict[str, Any]:
    """List my team's cases (or mine), oldest change first; filter by updated_since to sync."""
    found = cases.list_cases(
        get_session(),
        audit_context(),
        mine=query["scope"] == "mine",
        status=query.get("status"),
        updated_since=query.get("updated_since"),
        after=time_id_key(query),
        limit=query["limit"],
    )
    return page(found, limit=query["limit"], key=lambda c: [c.updated_at.isoformat(), str(c.id)])


@bp.post("/cases")
@bp.doc(operationId="CreateCase")
@bp.arguments(CaseCreateSchema)
@bp.response(201, CaseSchema)
@bp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@allow(*CASE_ROLES, scope="cases:write")
def create_case(data: dict[str, Any]) -> Created:
    """Open a case; retries with the same Idempotency-Key make one case."""
    result = create_once(
        lambda: cases.create_case(get_session(), audit_context(), data=data),
        schema=case_schema,
        resource_type=cases.RESOURCE,
        read=lambda found: cases.get_case(get_session(), audit_context(), uuid.UUID(found)),
    )
    return result if isinstance(result, Response) else (result, 201, _etag(result))


@bp.get("/cases/<uuid:case_id>")
@bp.doc(operationId="GetCase")
@bp.response(200, CaseSchema)
@allow(*CASE_ROLES, scope="cases:read")
def get_case(case_id: uuid.UUID) -> tuple[Case, int, dict[str, str]]:
    """Read one case, with its ETag for a later change."""
    case = cases.get_case(get_session(), audit_context(), case_id)
    return case, 200, _etag(case)


@bp.patch("/cases/<uuid:case_id>")
@bp.doc(operationId="UpdateCase")
@bp.arguments(CaseUpdateSchema)
@bp.response(200, CaseSchema)
@bp.doc(parameters=[IF_MATCH_PARAMETER])
@allow(*CASE_ROLES, scope="cases:write")
def update_case(changes: dict[str, Any], case_id: uuid.UUID) -> tuple[Case, int, dict[str, str]]:
    """Change a case; send If-Match with the ETag you read."""
    case = cases.update_case(
        get_session(),
        audit_context(),
        case_id=case_id,
        expected_version=expected_version(),
        changes=changes,
    )
    return case, 200, _etag(case)


def _etag(case: Case) -> dict[str, str]:
    """The ETag header of a case."""
    return {"ETag": etag_for(case.version)}
