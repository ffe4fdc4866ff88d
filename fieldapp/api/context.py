"""What views need from the running app: the caller, the session, the password hasher."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g

from fieldapp.core.principal import Principal
from fieldapp.services.passwords import Passwords

PASSWORDS_KEY = "fieldapp.passwords"


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
