"""JWT set-up (flask-jwt-extended): issuing tokens, refusing weak ones, one error shape."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask, Response, current_app, g
from flask_jwt_extended import JWTManager, create_access_token, create_refresh_token

from fieldapp import errors
from fieldapp.core.principal import Principal
from fieldapp.services.auth import TokenPair
from fieldapp.services.device_sessions import principal_from_row
from fieldapp.web.principals import session_row
from fieldapp.web.problems import handle_fieldapp_error

REQUIRED_CLAIMS = ("exp", "iat", "jti", "type", "sub", "sid")

jwt = JWTManager()


def issue_pair(*, user_id: uuid.UUID, session_id: uuid.UUID, refresh_jti: str) -> TokenPair:
    """Mint an access and a refresh token bound to one device session."""
    claims = {"sid": str(session_id)}
    access = create_access_token(identity=str(user_id), additional_claims=claims)
    refresh = create_refresh_token(
        identity=str(user_id), additional_claims={**claims, "jti": refresh_jti}
    )
    lifetime = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return TokenPair(access, refresh, int(lifetime.total_seconds()))


def _signing_key(_header: dict[str, Any], unverified: dict[str, Any]) -> str:
    """Refuse tokens lacking a required claim before the library fills in defaults."""
    # flask-jwt-extended would treat a token without `type` as an access token and one
    # without `jti` as fine; the signature is still checked after this.
    if any(claim not in unverified for claim in REQUIRED_CLAIMS):
        raise errors.InvalidToken("The token lacks a required claim.")
    if unverified["type"] not in ("access", "refresh") or not isinstance(unverified["jti"], str):
        raise errors.InvalidToken()
    key: str = current_app.config["JWT_SECRET_KEY"]
    return key


def _check_token(_header: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Load the caller for a verified token; True means 'revoked'."""
    try:
        session_id = uuid.UUID(str(payload["sid"]))
        user_id = uuid.UUID(str(payload["sub"]))
    except ValueError as exc:
        raise errors.InvalidToken() from exc
    # The row may come from the principal cache; its expiry is judged against the time now.
    principal = principal_from_row(
        session_row(session_id),
        session_id=session_id,
        user_id=user_id,
        token_type=str(payload["type"]),
    )
    if principal is None:
        g.token_subject = str(user_id)  # verified but revoked: the trail names whose it was
        return True
    g.principal = principal
    return False


def _current_principal(_header: dict[str, Any], _payload: dict[str, Any]) -> Principal | None:
    """The principal loaded by the revocation check."""
    principal: Principal | None = g.get("principal")
    return principal


def _problem(error_class: type[errors.FieldappError]) -> Any:
    """A loader that answers with the given error in the one shape."""

    def loader(*_args: Any) -> Response:
        return handle_fieldapp_error(error_class())

    return loader


def _invalid(_reason: str) -> Response:
    """Any undecodable, badly signed or wrongly typed token."""
    return handle_fieldapp_error(errors.InvalidToken())


def init_app(app: Flask) -> None:
    """Configure flask-jwt-extended so that every failure uses the one error shape."""
    jwt.init_app(app)
    jwt.decode_key_loader(_signing_key)
    jwt.token_in_blocklist_loader(_check_token)
    jwt.user_lookup_loader(_current_principal)
    jwt.unauthorized_loader(lambda _reason: handle_fieldapp_error(errors.Unauthorized()))
    jwt.invalid_token_loader(_invalid)
    jwt.expired_token_loader(_problem(errors.TokenExpired))
    jwt.revoked_token_loader(_problem(errors.TokenRevoked))
    jwt.needs_fresh_token_loader(_problem(errors.InvalidToken))
    jwt.user_lookup_error_loader(_problem(errors.TokenRevoked))
    jwt.token_verification_failed_loader(_problem(errors.InvalidToken))
