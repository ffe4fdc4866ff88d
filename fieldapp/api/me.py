"""The signed-in user and their own device sessions."""

from __future__ import annotations

import uuid
from typing import Any

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context, current_principal
from fieldapp.core.principal import Principal
from fieldapp.database import get_session
from fieldapp.schemas.auth import DeviceSessionListSchema, MeSchema
from fieldapp.services import device_sessions
from fieldapp.web.access import allow

bp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The signed-in user.")


@bp.get("")
@bp.doc(operationId="GetMe")
@bp.response(200, MeSchema)
@allow(scope="profile:read")
def get_me() -> Principal:
    """Who am I: the signed-in user, their role and team."""
    return current_principal()


@bp.get("/sessions")
@bp.doc(operationId="ListMySessions")
@bp.response(200, DeviceSessionListSchema)
@allow()
def list_my_sessions() -> dict[str, Any]:
    """List the devices I am signed in on."""
    actor = current_principal()
    found = device_sessions.list_sessions(get_session(), user_id=actor.user_id)
    rows = [{**vars(s), "current": s.id == actor.session_id} for s in found]
    return {"value": rows}


@bp.delete("/sessions/<uuid:session_id>")
@bp.doc(operationId="EndMySession")
@bp.response(204)
@allow()
def delete_my_session(session_id: uuid.UUID) -> None:
    """Sign one of my devices out, for example a lost phone."""
    device_sessions.revoke_own_session(get_session(), audit_context(), session_id=session_id)
