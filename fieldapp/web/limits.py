"""Rate limits (flask-limiter), stored in Redis when ``FIELDAPP_REDIS_URL`` is set."""

from __future__ import annotations

import math
import time
import uuid

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from fieldapp.core.usernames import normalise_username
from fieldapp.errors import RateLimited
from fieldapp.web.bodies import current_body

# One limiter per process (the decorators below bind to it). flask-limiter keeps some settings,
# such as the key prefix, from the first app it is given; fieldapp serves one app per process.
limiter = Limiter(key_func=get_remote_address)
# Per-process counters for API keys while the shared store (Redis) does not answer.
_key_fallback = FixedWindowRateLimiter(MemoryStorage())
_ONCE_A_MINUTE = parse("1/minute")


def claimed_username() -> str:
    """The normalised username a sign-in names, whether or not it exists ('' if none)."""
    body = current_body()
    username = body.get("username") if isinstance(body, dict) else request.form.get("username")
    return normalise_username(username) if isinstance(username, str) else ""


def login_username_key() -> str:
    """Key sign-in attempts by the normalised username, whether or not it exists."""
    return "login-user:" + claimed_username()


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


def failed(response: Response) -> bool:
    """Count only refused sign-ins against a username, so a lost response costs nothing."""
    return response.status_code == 401


def hit_key_limit(key_id: uuid.UUID, rate_limit: str) -> None:
    """Count one call against an API key's own limit; a spent limit is a 429 with Retry-After."""
    # Checked by the access check once the key is known, so it cannot be a route decorator;
    # it uses the limiter's own store and strategy, so every worker counts together.
    if not limiter.enabled:
        return
    item = parse(rate_limit)
    identifiers = (current_app.config["RATELIMIT_KEY_PREFIX"], "api-key", str(key_id))
    strategy: RateLimiter = limiter.limiter
    try:
        allowed = strategy.hit(item, *identifiers)
    except Exception:  # the shared store is down: count in this process instead
        strategy = _key_fallback
        allowed = strategy.hit(item, *identifiers)
    if not allowed:
        reset_at = strategy.get_window_stats(item, *identifiers).reset_time
        wait = max(1, math.ceil(reset_at - time.time()))
        raise RateLimited(
            f"This API key allows {rate_limit}. Wait and try again.",
            headers={"Retry-After": str(wait)},
        )


def first_in_minute(key: str) -> bool:
    """True for the first call with ``key`` in a minute, across workers (the limiter's store)."""
    # Bounds how often a flood of 429s is written to the audit trail: once a minute per caller.
    if not limiter.enabled:
        return True
    identifiers = (current_app.config["RATELIMIT_KEY_PREFIX"], "refusal-audit", key)
    try:
        return bool(limiter.limiter.hit(_ONCE_A_MINUTE, *identifiers))
    except Exception:  # the shared store is down: count in this process instead
        return bool(_key_fallback.hit(_ONCE_A_MINUTE, *identifiers))


# Statuses that tell the client to come back later; only they carry the limiter's Retry-After.
RETRY_STATUSES = frozenset({429, 503})
_OWN_RETRY_AFTER = "fieldapp.own_retry_after"


def remember_retry_after(response: Response) -> Response:
    """Note the app's own Retry-After (if any) before the limiter writes its headers."""
    g.setdefault(_OWN_RETRY_AFTER, response.headers.get("Retry-After"))
    return response


def restore_retry_after(response: Response) -> Response:
    """Undo the limiter's Retry-After on answers that are not 429 or 503.

    flask-limiter sets Retry-After (the window's reset) on every answer of a limited route,
    a successful sign-in too, where it reads as "refused, come back later". X-RateLimit-*
    stay; an answer that set its own Retry-After (a 409 on a busy Idempotency-Key) keeps it.
    """
    if response.status_code in RETRY_STATUSES:
        return response
    own = g.get(_OWN_RETRY_AFTER)
    if own is None:
        response.headers.pop("Retry-After", None)
    else:
        response.headers["Retry-After"] = own
    return response


def init_app(app: Flask) -> None:
    """Attach the limiter, between the two hooks that keep Retry-After to refusals."""
    # After-request hooks run in the reverse order of registration: restore runs after the
    # limiter's headers are written, remember before.
    app.after_request(restore_retry_after)
    limiter.init_app(app)
    app.after_request(remember_retry_after)
