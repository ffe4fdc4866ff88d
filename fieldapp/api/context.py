"""What views need from the running app: the caller, the session, the password hasher."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request

from fieldapp.core.principal import Principal
from fieldapp.errors import ValidationFailed
from fieldapp.services.audit import AuditContext
from fieldapp.services.passwords import Passwords
from fieldapp.services.refusals import Origin

PASSWORDS_KEY = "fieldapp.passwords"
MAX_PURPOSE = 80


def current_principal() -> Principal:
    """The caller, loaded by the access check."""
    principal: Principal = g.principal
    return principal


def passwords() -> Passwords:
    """The app's Argon2id hasher."""
    hasher: Passwords = current_app.extensions[PASSWORDS_KEY]
    return hasher


def refresh_lifetime() -> timedelta:
    """How long a refresh token (and so an idle device session) lives."""
    lifetime: timedelta = current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
    return lifetime


def request_origin() -> Origin:
    """Where this request came from, for records made before a caller is known; never raises."""
    purpose = request.headers.get("X-Purpose", "").strip()
    if len(purpose) > MAX_PURPOSE or not purpose.isprintable():
        purpose = ""
    return Origin(
        purpose=purpose or current_app.config["AUDIT_DEFAULT_PURPOSE"],
        request_id=g.get("request_id"),
        client_address=request.remote_addr,
    )


def audit_context() -> AuditContext:
    """Who is acting and why, for the audit trail: ``X-Purpose`` or the configured default."""
    purpose = request.headers.get("X-Purpose", "").strip()
    if purpose and (len(purpose) > MAX_PURPOSE or not purpose.isprintable()):
        raise ValidationFailed(errors={"X-Purpose": [f"Use at most {MAX_PURPOSE} characters."]})
    return AuditContext(
        actor=current_principal(),
        purpose=purpose or current_app.config["AUDIT_DEFAULT_PURPOSE"],
        request_id=g.get("request_id"),
        client_address=request.remote_addr,
    )
