"""Sign-in for phones: login, refresh with rotation, logout."""

from __future__ import annotations

from typing import Any

from flask_jwt_extended import get_jwt

from fieldapp.api.blueprints import Blueprint
from fieldapp.api.context import audit_context, passwords, refresh_lifetime, request_origin
from fieldapp.database import get_session
from fieldapp.schemas.auth import LoginSchema, TokenPairSchema
from fieldapp.services import auth
from fieldapp.services.auth import TokenPair
from fieldapp.web.access import allow
from fieldapp.web.limits import (
    failed,
    limiter,
    login_client_key,
    login_username_key,
    per_client_limit,
    per_username_limit,
)
from fieldapp.web.openapi_headers import RATE_LIMIT_HEADERS, header_refs
from fieldapp.web.tokens import issue_pair

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in for devices.")


@bp.post("/login")
@bp.doc(
    operationId="SignIn",
    responses={200: {"headers": header_refs(*RATE_LIMIT_HEADERS)}},
)
@bp.arguments(LoginSchema)
@bp.response(200, TokenPairSchema)
@bp.doc(security=[])
@limiter.limit(per_username_limit, key_func=login_username_key, deduct_when=failed)
@limiter.limit(per_client_limit, key_func=login_client_key)
def login(credentials: dict[str, Any]) -> TokenPair:
    """Sign in on a device and receive an access token and a refresh token."""
    return auth.sign_in(
        get_session(),
        request_origin(),
        passwords=passwords(),
        refresh_lifetime=refresh_lifetime(),
        issue_tokens=issue_pair,
        **credentials,
    )


@bp.post("/refresh")
@bp.doc(operationId="RefreshTokens")
@bp.response(200, TokenPairSchema)
@bp.doc(security=[{"refreshToken": []}])
@allow(refresh=True)
def refresh() -> TokenPair:
    """Spend the refresh token for a new pair; reusing a spent one ends the session."""
    return auth.rotate_refresh_token(
        get_session(),
        audit_context(),
        presented_jti=get_jwt()["jti"],
        refresh_lifetime=refresh_lifetime(),
        issue_tokens=issue_pair,
    )


@bp.post("/logout")
@bp.doc(operationId="SignOut")
@bp.response(204)
@allow()
def logout() -> None:
    """End this device's session; its tokens stop working at once."""
    auth.sign_out(get_session(), audit_context())
