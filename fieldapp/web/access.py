"""Deny-by-default access control: every route needs a signed-in caller unless it is public.

A route is reachable only if its endpoint is in ``PUBLIC_ENDPOINTS`` or its view
declares the roles allowed with ``@allow(...)``. Anything else answers 403 to everyone.
An API key (``X-API-Key``) may call only views that also name a scope: ``@allow(..., scope=...)``.
What it refuses is written to the audit trail by ``fieldapp.web.refusals``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask_jwt_extended import verify_jwt_in_request

from fieldapp.core.roles import ROLES
from fieldapp.core.scopes import SCOPES
from fieldapp.errors import Forbidden, NotFound
from fieldapp.web.keys import authenticate_api_key, wants_api_key
from fieldapp.web.surfaces import serves_console

#: The API's description: public when ``PUBLIC_DOCS`` is on (development), else 404 to all.
DOC_ENDPOINTS = frozenset(
    {
        "api-docs.openapi_json",
        "api-docs.openapi_swagger_ui",
        "docs.openapi_yaml",
        "docs.swagger_ui_asset",
        "connector.api_definition",
        "connector.api_properties",
    }
)

#: Where the console puts its cookie check (``app.extensions``): the web layer knows no pages.
CONSOLE_SIGN_IN = "fieldapp.console_sign_in"

#: The explicit public list: the only endpoints anyone may call without a token.
PUBLIC_ENDPOINTS = (
    frozenset(
        {
            "operations.health",
            "operations.ready",
            "auth.login",
            "console.sign_in",
            "console_assets.asset",
            "console_assets.static",
        }
    )
    | DOC_ENDPOINTS
)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class AccessPolicy:
    """Which roles may call a view, whether it takes the refresh token, and its key scope."""

    roles: frozenset[str]
    refresh: bool = False
    scope: str | None = None  # None: API keys are refused


def allow(*roles: str, refresh: bool = False, scope: str | None = None) -> Callable[[F], F]:
    """Declare the roles allowed to call a view (all if none), and the scope a key needs."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"unknown scope: {scope!r}")
    policy = AccessPolicy(frozenset(roles or ROLES), refresh, scope)

    def decorate(view: F) -> F:
        view.access_policy = policy  # type: ignore[attr-defined]
        return view

    return decorate


def policy_for(endpoint: str) -> AccessPolicy | None:
    """The declared policy of an endpoint, if any."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_policy", None)


def enforce_access() -> None:
    """Before every request: authenticate and authorise, or refuse."""
    endpoint = request.endpoint
    if endpoint in DOC_ENDPOINTS and not current_app.config["PUBLIC_DOCS"]:
        raise NotFound()
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return  # unrouted requests become 404/405 in the one error shape
    policy = policy_for(endpoint)
    if serves_console():
        current_app.extensions[CONSOLE_SIGN_IN]()
    elif wants_api_key():
        authenticate_api_key(policy.scope if policy else None)
    else:
        verify_jwt_in_request(refresh=policy.refresh if policy else False)
    if policy is None or g.principal.role not in policy.roles:
        raise Forbidden()


def init_app(app: Flask) -> None:
    """Install the access check in front of every view."""
    app.before_request(enforce_access)
