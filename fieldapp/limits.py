"""Rate limits (flask-limiter), stored in Redis when ``FIELDAPP_REDIS_URL`` is set."""

from __future__ import annotations

from flask import Flask, Response, current_app, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from fieldapp.bodies import current_body
from fieldapp.core.usernames import normalise_username

# One limiter per process (the decorators below bind to it). flask-limiter keeps some settings,
# such as the key prefix, from the first app it is given; fieldapp serves one app per process.
limiter = Limiter(key_func=get_remote_address)


def login_username_key() -> str:
    """Key sign-in attempts by the normalised username, whether or not it exists."""
    body = current_body()
    username = body.get("username") if isinstance(body, dict) else None
    return "login-user:" + (normalise_username(username) if isinstance(username, str) else "")


def login_client_key() -> str:
    """Key sign-in attempts by the client address (ProxyFix decides what that is)."""
    return "login-client:" + get_remote_address()


def per_username_limit() -> str:
    """Failed sign-ins allowed per username."""
    limit: str = current_app.config["LOGIN_LIMIT_PER_USERNAME"]
    return limit


def per_client_limit() -> str:
    """Sign-in attempts allowed per client address."""
    limit: str = current_app.config["LOGIN_LIMIT_PER_CLIENT"]
    return limit


def officer_key() -> str:
    """Key message sends by the signed-in officer (the access check has loaded them)."""
    return f"messages-officer:{g.principal.user_id}"


def message_quota() -> str:
    """Messages an officer may send, so that the official channel cannot flood a victim."""
    quota: str = current_app.config["MESSAGE_QUOTA"]
    return quota


def sent_or_queued(response: Response) -> bool:
    """Count only sends that went ahead."""
    return response.status_code in (200, 202)


def failed(response: Response) -> bool:
    """Count only refused sign-ins against a username, so a lost response costs nothing."""
    return response.status_code == 401


def rate_limit_storage_answers() -> bool:
    """Whether the shared counter store answers (always true for in-memory storage)."""
    try:
        return bool(limiter.storage.check())
    except Exception:  # any client error means "not answering"
        return False


def init_app(app: Flask) -> None:
    """Attach the limiter."""
    limiter.init_app(app)
