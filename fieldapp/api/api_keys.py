"""Integration keys (admins): create one (shown once), list them, revoke one."""

from __future__ import annotations

import uuid
from typing import Any

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context
from fieldapp.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, create_once
from fieldapp.api.paging import page, time_id_key
from fieldapp.core.roles import ADMIN
from fieldapp.database import get_session
from fieldapp.models.base import utcnow
from fieldapp.schemas.api_keys import (
    ApiKeyCreatedSchema,
    ApiKeyCreateSchema,
    ApiKeyPageSchema,
    ApiKeySchema,
)
from fieldapp.schemas.paging import PageQuerySchema
from fieldapp.services import api_keys
from fieldapp.web.access import allow

bp = Blueprint("api_keys", __name__, url_prefix="/api/v1", description="API keys for integrations.")


@bp.get("/api-keys")
@bp.doc(operationId="ListApiKeys")
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, ApiKeyPageSchema)
@allow(ADMIN)
def list_api_keys(query: dict[str, Any]) -> dict[str, Any]:
    """List keys, oldest first, revoked ones included; never the keys themselves."""
    found = api_keys.list_keys(get_session(), after=time_id_key(query), limit=query["limit"] + 1)
    return page(found, limit=query["limit"], key=lambda k: [k.created_at.isoformat(), str(k.id)])


@bp.post("/api-keys")
@bp.doc(operationId="CreateApiKey")
@bp.arguments(ApiKeyCreateSchema)
@bp.response(201, ApiKeyCreatedSchema)
@bp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@allow(ADMIN)
def create_api_key(data: dict[str, Any]) -> Any:
    """Create a key acting for a user; the response shows the key once."""
    # A replay reads the stored record: it never shows the key, which is not kept.
    return create_once(
        lambda: api_keys.create_key(
            get_session(), context=audit_context(), data=data, now=utcnow()
        ),
        schema=ApiKeySchema(),
        resource_type="api_key",
        read=lambda found: api_keys.get_key(get_session(), uuid.UUID(found)),
    )


@bp.delete("/api-keys/<uuid:key_id>")
@bp.doc(operationId="RevokeApiKey")
@bp.response(204)
@allow(ADMIN)
def revoke_api_key(key_id: uuid.UUID) -> None:
    """Revoke a key at once; revoking it again changes nothing."""
    api_keys.revoke_key(get_session(), context=audit_context(), key_id=key_id, now=utcnow())
