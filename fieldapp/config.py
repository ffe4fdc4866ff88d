"""Settings: environment variables with the ``FIELDAPP_`` prefix over safe defaults.

Secrets are never committed. In development they are generated once into the
instance folder; in production the app refuses to start without explicit ones.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PREFIX = "FIELDAPP_"
MIN_SECRET_BYTES = 32
TRUE_WORDS = {"1", "true", "yes", "on"}


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete; the app must not start."""


def _flag(value: str | None, default: bool = False) -> bool:
    """Read an on/off environment value."""
    if value is None or value == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    """Read an integer environment value, refusing nonsense loudly."""
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{PREFIX}{name} must be an integer, got {raw!r}") from exc


def _pence(env: Mapping[str, str], name: str, default: str) -> Decimal:
    """Read an amount of money in pence (such as "2.33"), refusing nonsense loudly."""
    raw = (env.get(PREFIX + name) or "").strip() or default
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise ConfigurationError(f"{PREFIX}{name} must be an amount in pence, got {raw!r}") from exc
    if not amount.is_finite() or amount < 0:
        raise ConfigurationError(f"{PREFIX}{name} must be an amount in pence, got {raw!r}")
    return amount


#: What GOV.UK Notify charges per text message (fragment) beyond the free allowance, in pence
#: before VAT: its published price when this was written. The fragment rules are in notify.md;
#: the price changes every April, so set FIELDAPP_SMS_FRAGMENT_PENCE to the current one.
SMS_FRAGMENT_PENCE = "2.33"


def load_secrets(instance_path: Path) -> dict[str, str]:
    """Return development secrets, generating them once into the instance folder."""
    path = instance_path / "secrets.json"
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return stored
    instance_path.mkdir(parents=True, exist_ok=True)
    generated = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
    }
    # Create with 0600 so other local users cannot read the signing keys.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(generated, handle)
    return generated


# What every message says about the force; each FIELDAPP_FORCE_<NAME> overrides one, and
# FIELDAPP_FORCE_<NAME>_CY gives it for Welsh messages (the English value when unset).
FORCE_LANGUAGES = ("en", "cy")
FORCE_DEFAULTS = {
    "name": "Demo Constabulary",
    "phone": "101",
    "website": "https://www.demo-constabulary.example",
    "support_name": "Victim Support",
    "support_phone": "08 08 16 89 111",
    "victims_code_url": (
        "https://www.gov.uk/government/publications/the-code-of-practice-for-victims-of-crime"
    ),
    "review_url": "https://www.demo-constabulary.example/right-to-review",
    "complaints_url": "https://www.demo-constabulary.example/complaints",
    "witness_care_name": "Demo Witness Care Unit",
    "witness_care_phone": "01632 960 500",
    "restorative_justice_url": "https://www.demo-constabulary.example/restorative-justice",
    "compensation_url": "https://www.gov.uk/claim-compensation-criminal-injury",
}


def force_profile(env: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The force's details for messages by language: ``{"en": {...}, "cy": {...}}``.

    English from FIELDAPP_FORCE_<NAME> over the demo defaults; Welsh from
    FIELDAPP_FORCE_<NAME>_CY, falling back to the English value.
    """
    english = {
        name: (env.get(f"{PREFIX}FORCE_{name.upper()}") or default).strip()
        for name, default in FORCE_DEFAULTS.items()
    }
    welsh = {
        name: (env.get(f"{PREFIX}FORCE_{name.upper()}_CY") or "").strip() or value
        for name, value in english.items()
    }
    return {"en": english, "cy": welsh}


def database_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """How long a request waits on PostgreSQL before it answers 503 with Retry-After."""
    return {
        "DB_STATEMENT_TIMEOUT_MS": _int(env, "DB_STATEMENT_TIMEOUT_MS", 5000),
        "DB_LOCK_TIMEOUT_MS": _int(env, "DB_LOCK_TIMEOUT_MS", 2000),
        "DB_CONNECT_TIMEOUT_SECONDS": _int(env, "DB_CONNECT_TIMEOUT_SECONDS", 2),
        "DB_POOL_TIMEOUT_SECONDS": _int(env, "DB_POOL_TIMEOUT_SECONDS", 2),
        "DB_PING_TIMEOUT_MS": _int(env, "DB_PING_TIMEOUT_MS", 1000),
        "DB_READY_TIMEOUT_MS": _int(env, "DB_READY_TIMEOUT_MS", 800),
    }


def replica_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """A streaming replica that reports may read (unset: everything on the primary).

    It is read while it lags by no more than ``REPLICA_MAX_LAG_SECONDS``; past that, or down,
    the reports read the primary.
    """
    max_lag = _int(env, "REPLICA_MAX_LAG_SECONDS", 30)
    if max_lag < 0:
        raise ConfigurationError(
            f"{PREFIX}REPLICA_MAX_LAG_SECONDS must be 0 or more, got {max_lag}"
        )
    return {
        "REPLICA_DATABASE_URL": env.get(PREFIX + "REPLICA_DATABASE_URL", "").strip(),
        "REPLICA_MAX_LAG_SECONDS": max_lag,
    }


def principal_cache_settings(env: Mapping[str, str], *, redis_url: str) -> dict[str, Any]:
    """The per-worker cache of who is calling, invalidated over Redis (on when Redis is set)."""
    return {
        "PRINCIPAL_CACHE": _flag(env.get(PREFIX + "PRINCIPAL_CACHE"), default=bool(redis_url)),
        # A second line of defence only: invalidation is immediate while the channel is up.
        "PRINCIPAL_CACHE_TTL_SECONDS": _int(env, "PRINCIPAL_CACHE_TTL_SECONDS", 30),
        "PRINCIPAL_CACHE_SIZE": _int(env, "PRINCIPAL_CACHE_SIZE", 10_000),
        "PRINCIPAL_CHANNEL": env.get(PREFIX + "PRINCIPAL_CHANNEL", "fieldapp:principals"),
    }


def console_settings(env: Mapping[str, str], *, production: bool) -> dict[str, Any]:
    """The supervisor console's cookie session: its name, flags and timeouts."""
    secure = _flag(env.get(PREFIX + "CONSOLE_SECURE_COOKIE"), default=production)
    return {
        # A __Host- cookie must be Secure, on path /, with no Domain: it cannot be set or
        # overwritten by a sibling subdomain. Plain http in development cannot carry one.
        "SESSION_COOKIE_NAME": "__Host-fieldapp-console" if secure else "fieldapp-console",
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        "CONSOLE_IDLE_TIMEOUT": timedelta(minutes=_int(env, "CONSOLE_IDLE_MINUTES", 30)),
        "CONSOLE_ABSOLUTE_TIMEOUT": timedelta(hours=_int(env, "CONSOLE_ABSOLUTE_HOURS", 10)),
        # Flask-WTF: checked only on the console's forms, and valid for the whole session
        # (its one-hour default would refuse to save an edit left open over lunch).
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
    }


def message_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Messages: who delivers them (manual or GOV.UK Notify), and how many an officer may send."""
    return {
        "MESSAGE_PROVIDER": env.get(PREFIX + "MESSAGE_PROVIDER", "manual").strip().lower(),
        "MESSAGE_QUOTA": env.get(PREFIX + "MESSAGE_QUOTA", "30/hour;100/day"),
        "NOTIFY_API_KEY": env.get(PREFIX + "NOTIFY_API_KEY", ""),
        "NOTIFY_BASE_URL": env.get(
            PREFIX + "NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
        ),
        "NOTIFY_SMS_TEMPLATE_ID": env.get(PREFIX + "NOTIFY_SMS_TEMPLATE_ID", ""),
        "NOTIFY_EMAIL_TEMPLATE_ID": env.get(PREFIX + "NOTIFY_EMAIL_TEMPLATE_ID", ""),
        "NOTIFY_TIMEOUT_SECONDS": _int(env, "NOTIFY_TIMEOUT_SECONDS", 10),
        "DELIVERY_MAX_ATTEMPTS": _int(env, "DELIVERY_MAX_ATTEMPTS", 6),
        "DELIVERY_LEASE_SECONDS": _int(env, "DELIVERY_LEASE_SECONDS", 120),
        "SMS_FRAGMENT_PENCE": _pence(env, "SMS_FRAGMENT_PENCE", SMS_FRAGMENT_PENCE),
    }


def webhook_settings(env: Mapping[str, str], *, production: bool) -> dict[str, Any]:
    """Webhooks: where deliveries may go, how long a try waits, retries and when to disable."""
    return {
        # Plain http (and loopback addresses) only to this machine, and only when this is on:
        # development, tests and the demo. Production refuses both unless told otherwise.
        "WEBHOOK_ALLOW_HTTP_LOOPBACK": _flag(
            env.get(PREFIX + "WEBHOOK_ALLOW_HTTP_LOOPBACK"), default=not production
        ),
        "WEBHOOK_TIMEOUT_SECONDS": _int(env, "WEBHOOK_TIMEOUT_SECONDS", 5),
        "WEBHOOK_LEASE_SECONDS": _int(env, "WEBHOOK_LEASE_SECONDS", 60),
        "WEBHOOK_MAX_ATTEMPTS": _int(env, "WEBHOOK_MAX_ATTEMPTS", 12),
        "WEBHOOK_BACKOFF_BASE_SECONDS": _int(env, "WEBHOOK_BACKOFF_BASE_SECONDS", 30),
        "WEBHOOK_BACKOFF_CAP_SECONDS": _int(env, "WEBHOOK_BACKOFF_CAP_SECONDS", 3600),
        "WEBHOOK_DISABLE_AFTER_FAILURES": _int(env, "WEBHOOK_DISABLE_AFTER_FAILURES", 15),
        "WEBHOOK_DISABLE_AFTER_HOURS": _int(env, "WEBHOOK_DISABLE_AFTER_HOURS", 24),
        "WEBHOOK_SCAN_SECONDS": _int(env, "WEBHOOK_SCAN_SECONDS", 60),
        "WEBHOOK_SCAN_LOOKBACK_HOURS": _int(env, "WEBHOOK_SCAN_LOOKBACK_HOURS", 24),
    }


#: Where letters come from when FIELDAPP_LETTER_RETURN_ADDRESS is not set (lines split on "|").
LETTER_RETURN_ADDRESS = "Police Headquarters|1 Example Road|Demo Town|DT1 1AA"
LETTER_POSTAGE = ("first", "second", "economy")


def letter_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Letters: the force's return address (lines split on '|') and GOV.UK Notify postage."""
    raw = env.get(PREFIX + "LETTER_RETURN_ADDRESS", "") or LETTER_RETURN_ADDRESS
    postage = env.get(PREFIX + "LETTER_POSTAGE", "second").strip().lower()
    if postage not in LETTER_POSTAGE:
        raise ConfigurationError(
            f"{PREFIX}LETTER_POSTAGE must be one of {', '.join(LETTER_POSTAGE)}, got {postage!r}"
        )
    lines = [line.strip() for line in raw.split("|") if line.strip()]
    return {"LETTER_RETURN_ADDRESS": lines[:6], "LETTER_POSTAGE": postage}


def public_url(env: Mapping[str, str]) -> str:
    """FIELDAPP_PUBLIC_URL: the origin clients reach (``https://host[:port]``), or "" if unset."""
    raw = env.get(PREFIX + "PUBLIC_URL", "").strip().rstrip("/")
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path or parts.query:
        raise ConfigurationError(
            f"{PREFIX}PUBLIC_URL must be an origin such as 'https://fieldapp.force.police.uk' "
            f"(scheme and host, no path), got {raw!r}"
        )
    return f"{parts.scheme}://{parts.netloc}"


def build_config(env: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Build the Flask config mapping from the environment."""
    production = env.get(PREFIX + "ENV", "development").strip().lower() == "production"
    debug = _flag(env.get(PREFIX + "DEBUG"))
    secret_key = env.get(PREFIX + "SECRET_KEY", "")
    jwt_secret = env.get(PREFIX + "JWT_SECRET_KEY", "")
    base_url = public_url(env)
    if production:
        _check_production(
            debug=debug, secret_key=secret_key, jwt_secret=jwt_secret, base_url=base_url
        )
    elif not secret_key or not jwt_secret:
        generated = load_secrets(instance_path)
        secret_key = secret_key or generated["SECRET_KEY"]
        jwt_secret = jwt_secret or generated["JWT_SECRET_KEY"]
    database_url = env.get(PREFIX + "DATABASE_URL") or f"sqlite:///{instance_path / 'fieldapp.db'}"
    redis_url = env.get(PREFIX + "REDIS_URL", "")
    return {
        "ENV_NAME": "production" if production else "development",
        "DEBUG": debug,
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MAX_CONTENT_LENGTH": _int(env, "MAX_BODY_BYTES", 256 * 1024),
        "JSON_MAX_DEPTH": _int(env, "JSON_MAX_DEPTH", 32),
        "PAGE_SIZE_MAX": 200,
        "PAGE_SIZE_DEFAULT": 50,
        "ARGON2_TIME_COST": _int(env, "ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_COST": _int(env, "ARGON2_MEMORY_COST", 64 * 1024),
        "ARGON2_PARALLELISM": _int(env, "ARGON2_PARALLELISM", 2),
        "LOGIN_LIMIT_PER_USERNAME": env.get(
            PREFIX + "LOGIN_LIMIT_PER_USERNAME", "5/minute;20/hour"
        ),
        "LOGIN_LIMIT_PER_CLIENT": env.get(PREFIX + "LOGIN_LIMIT_PER_CLIENT", "30/minute"),
        "PROXY_FIX_HOPS": _int(env, "PROXY_FIX_HOPS", 0),
        # Links (nextLink) and the connector's host come from here, never from the Host header;
        # unset (development only) they follow the request.
        "PUBLIC_URL": base_url,
        # The OpenAPI document, /docs and the connector files: public in development, and in
        # production only when FIELDAPP_PUBLIC_DOCS says so (else 404).
        "PUBLIC_DOCS": _flag(env.get(PREFIX + "PUBLIC_DOCS"), default=not production),
        "LOG_LEVEL": env.get(PREFIX + "LOG_LEVEL", "INFO").upper(),
        "AUDIT_DEFAULT_PURPOSE": env.get(PREFIX + "AUDIT_DEFAULT_PURPOSE", "investigation"),
        "FORCE": force_profile(env),
        # Court-stage duties (hearings, results, sentence, appeals) are the Witness Care Unit's:
        # only when it works in this app do those events give the victims duties here.
        "WITNESS_CARE_IN_APP": _flag(env.get(PREFIX + "WITNESS_CARE_IN_APP"), default=True),
        # The console's compliance page lists open duties due within this many hours.
        "DUE_SOON_HOURS": _int(env, "DUE_SOON_HOURS", 48),
        **message_settings(env),
        **letter_settings(env),
        **webhook_settings(env, production=production),
        **console_settings(env, production=production),
        **database_settings(env),
        **replica_settings(env),
        **principal_cache_settings(env, redis_url=redis_url),
        # flask-jwt-extended
        "JWT_SECRET_KEY": jwt_secret,
        "JWT_ALGORITHM": "HS256",
        "JWT_DECODE_ALGORITHMS": ["HS256"],
        "JWT_TOKEN_LOCATION": ["headers"],
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=_int(env, "ACCESS_TOKEN_MINUTES", 15)),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=_int(env, "REFRESH_TOKEN_DAYS", 14)),
        "JWT_ENCODE_ISSUER": "fieldapp",
        "JWT_DECODE_ISSUER": "fieldapp",
        "JWT_ENCODE_AUDIENCE": "fieldapp-api",
        "JWT_DECODE_AUDIENCE": "fieldapp-api",
        "JWT_DECODE_LEEWAY": 30,
        "JWT_ERROR_MESSAGE_KEY": "detail",
        "JWT_COOKIE_CSRF_PROTECT": False,  # tokens travel only in the Authorization header
        # flask-limiter
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": _flag(env.get(PREFIX + "RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_KEY_PREFIX": "fieldapp",
        # If Redis goes away, keep limiting per worker rather than failing sign-in.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # A Redis that stops answering (frozen, cut off) must not hang sign-in or /ready, which
        # the worker's main loop answers: give up on it within half a second, then fall back.
        "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        # flask-smorest / OpenAPI
        "API_TITLE": "fieldapp",
        "API_VERSION": "1.0.0",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
    }


def _check_production(*, debug: bool, secret_key: str, jwt_secret: str, base_url: str) -> None:
    """Refuse unsafe production settings."""
    if debug:
        raise ConfigurationError("Refusing to start: debug mode is on in production.")
    for name, value in (("SECRET_KEY", secret_key), ("JWT_SECRET_KEY", jwt_secret)):
        if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ConfigurationError(
                f"Refusing to start: {PREFIX}{name} must be set to at least "
                f"{MIN_SECRET_BYTES} random bytes in production."
            )
    if secret_key == jwt_secret:
        raise ConfigurationError(
            f"Refusing to start: {PREFIX}JWT_SECRET_KEY must differ from {PREFIX}SECRET_KEY."
        )
    if not base_url.startswith("https://"):
        raise ConfigurationError(
            f"Refusing to start: {PREFIX}PUBLIC_URL must be set to the service's https:// "
            "origin in production (links and the connector must not follow the Host header)."
        )
