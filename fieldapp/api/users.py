"""Account and team administration."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context, passwords
from fieldapp.api.etags import IF_MATCH_PARAMETER, etag_for, expected_version
from fieldapp.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, create_once
from fieldapp.api.paging import cursor_key, page
from fieldapp.core.roles import ADMIN
from fieldapp.database import get_session
from fieldapp.models import Team, User
from fieldapp.schemas.paging import PageQuerySchema
from fieldapp.schemas.users import (
    TeamListSchema,
    TeamSchema,
    UserCreateSchema,
    UserPageSchema,
    UserSchema,
    UserUpdateSchema,
)
from fieldapp.services import teams, users
from fieldapp.web.access import allow

bp = Blueprint("users", __name__, url_prefix="/api/v1", description="Accounts and teams.")


@bp.get("/users")
@bp.doc(operationId="ListUsers")
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, UserPageSchema)
@allow(ADMIN)
def list_users(query: dict[str, Any]) -> dict[str, Any]:
    """List accounts, a page at a time, by username."""
    after = cursor_key(query, types=(str,))
    found = users.list_users(
        get_session(), after=after[0] if after else None, limit=query["limit"] + 1
    )
    return page(found, limit=query["limit"], key=lambda user: [user.username])


@bp.post("/users")
@bp.doc(operationId="CreateUser")
@bp.arguments(UserCreateSchema)
@bp.response(201, UserSchema)
@bp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@allow(ADMIN)
def create_user(data: dict[str, Any]) -> Any:
    """Create an account in an existing team."""
    result = create_once(
        lambda: users.create_user(get_session(), audit_context(), passwords=passwords(), data=data),
        schema=UserSchema(),
        resource_type="user",
        read=lambda found: users.get_user(get_session(), audit_context(), uuid.UUID(found)),
    )
    return (
        result
        if isinstance(result, Response)
        else (result, 201, {"ETag": etag_for(result.version)})
    )


@bp.get("/users/<uuid:user_id>")
@bp.doc(operationId="GetUser")
@bp.response(200, UserSchema)
@allow(ADMIN)
def get_user(user_id: uuid.UUID) -> tuple[User, int, dict[str, str]]:
    """Read one account, with its ETag for a later change."""
    user = users.get_user(get_session(), audit_context(), user_id)
    return user, 200, {"ETag": etag_for(user.version)}


@bp.patch("/users/<uuid:user_id>")
@bp.doc(operationId="UpdateUser")
@bp.arguments(UserUpdateSchema)
@bp.response(200, UserSchema)
@bp.doc(parameters=[IF_MATCH_PARAMETER])
@allow(ADMIN)
def update_user(changes: dict[str, Any], user_id: uuid.UUID) -> tuple[User, int, dict[str, str]]:
    """Change an account; role, team, password or status changes sign them out everywhere."""
    user = users.update_user(
        get_session(),
        audit_context(),
        passwords=passwords(),
        user_id=user_id,
        expected_version=expected_version(),
        changes=changes,
    )
    return user, 200, {"ETag": etag_for(user.version)}


@bp.delete("/users/<uuid:user_id>/sessions")
@bp.doc(operationId="EndUserSessions")
@bp.response(204)
@allow(ADMIN)
def revoke_user_sessions(user_id: uuid.UUID) -> None:
    """Sign a user out of every device at once (lost phone, suspected misuse)."""
    users.revoke_sessions(get_session(), audit_context(), user_id=user_id)


@bp.get("/teams")
@bp.doc(operationId="ListTeams")
@bp.response(200, TeamListSchema)
@allow(ADMIN)
def list_teams() -> dict[str, list[Team]]:
    """List every team."""
    return {"value": teams.list_teams(get_session())}


@bp.post("/teams")
@bp.doc(operationId="CreateTeam")
@bp.arguments(TeamSchema)
@bp.response(201, TeamSchema)
@bp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@allow(ADMIN)
def create_team(data: dict[str, Any]) -> Any:
    """Create a team."""
    return create_once(
        lambda: teams.create_team(get_session(), name=data["name"], context=audit_context()),
        schema=TeamSchema(),
        resource_type="team",
        read=lambda found: teams.get_team(get_session(), uuid.UUID(found)),
    )
