"""API-key authentication (``X-API-Key``) for integrations: the caller, the scope, the rate.

A request carrying ``X-API-Key`` and no ``Authorization`` header is authenticated by key
instead of by token. The key acts for one user, whose role is read from the database.
"""

from __future__ import annotations

from flask import g, request

from fieldapp.errors import ApiKeyNotAccepted, InsufficientScope
from fieldapp.services import api_keys
from fieldapp.web.limits import hit_key_limit
from fieldapp.web.principals import key_caller

API_KEY_HEADER = "X-API-Key"


def wants_api_key() -> bool:
    """Whether this request authenticates by key (a bearer token always takes precedence)."""
    return API_KEY_HEADER in request.headers and "Authorization" not in request.headers


def claimed_key_name() -> str | None:
    """How the audit trail names a refused key: by its (public) prefix, never the secret."""
    if not wants_api_key():
        return None
    prefix = api_keys.key_prefix(request.headers[API_KEY_HEADER])
    return None if prefix is None else f"[key {api_keys.KEY_MARK}_{prefix}]"


def authenticate_api_key(scope: str | None) -> None:
    """Load the key's user as the caller, count the call, and require the route's scope."""
    caller = key_caller(request.headers[API_KEY_HEADER])
    g.principal = caller.principal
    # Counted before the scope check: a key probing routes it may not call is throttled too.
    hit_key_limit(caller.key_id, caller.rate_limit)
    if scope is None:
        raise ApiKeyNotAccepted()
    g.key_scopes = caller.scopes
    require_key_scope(scope)


def require_key_scope(scope: str) -> None:
    """A key caller must hold ``scope`` (a view asking for more than its route's scope)."""
    scopes = g.get("key_scopes")
    if scopes is not None and scope not in scopes:
        raise InsufficientScope(
            f"This operation needs the scope '{scope}'.", extra={"required_scope": scope}
        )
