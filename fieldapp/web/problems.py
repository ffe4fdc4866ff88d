"""The one error shape (RFC 9457 problem details) and the handlers every error goes through.

Every error, whoever raises it (a service, Werkzeug, webargs, flask-jwt-extended,
flask-limiter, or an unexpected exception), leaves the app through
``problem_response`` with ``Content-Type: application/problem+json``. The errors themselves
(status, code, title) are in ``fieldapp.errors``.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Mapping
from typing import Any

import psycopg
from flask import Flask, Response, g, json
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from fieldapp.errors import (
    HTTP_CODES,
    PROBLEM_MEDIA_TYPE,
    PROBLEM_TYPE_PREFIX,
    FieldappError,
    FieldErrors,
    PreconditionFailed,
    ServiceUnavailable,
)
from fieldapp.web.limits import limiter
from fieldapp.web.logs import failure_summary

# The logger keeps its name from before the move, so that log queries keep finding it.
log = logging.getLogger("fieldapp.errors")
#: Seconds a client is asked to wait when the database did not answer in time.
DATABASE_RETRY_AFTER = 2
#: SQLite's words for "busy or not there", as opposed to a mistake in a statement.
_SQLITE_OUTAGES = ("database is locked", "unable to open database file", "disk I/O error")


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: FieldErrors | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """Render the one error shape (and note its code for the record of refusals)."""
    g.problem_code = code
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "trace_id": getattr(g, "request_id", None) or "",
    }
    if errors:
        body["errors"] = {key: list(messages) for key, messages in errors.items()}
    if extra:
        body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_fieldapp_error(error: FieldappError) -> Response:
    """Render one of our own errors."""
    if error.audited:
        g.refusal_audited = True
    return problem_response(
        status=error.status_code,
        code=error.code,
        title=error.title,
        detail=error.detail,
        errors=error.errors,
        headers=error.headers,
        extra=error.extra,
    )


def handle_http_exception(error: HTTPException) -> Response:
    """Render a Werkzeug (or extension) HTTP error in the one shape."""
    status = error.code or 500
    if status >= 500:
        return handle_unexpected(error)
    code, detail = HTTP_CODES.get(status, ("http_error", error.description or ""))
    headers: dict[str, str] = {}
    if status == 405:
        allowed = error.get_response().headers.get("Allow")
        if allowed:
            headers["Allow"] = allowed
    if status == 429:
        headers["Retry-After"] = str(_retry_after_seconds())
    errors = _webargs_errors(error)
    return problem_response(
        status=status,
        code=code,
        title=error.name,
        detail=detail,
        errors=errors,
        headers=headers,
    )


def handle_stale_data(_error: StaleDataError) -> Response:
    """A versioned row changed under a concurrent writer (at flush or commit): 412, not 500.

    Two PATCHes with one ``If-Match`` can both pass the version check before either writes;
    the UPDATE ... WHERE version = N of the later one then matches no row. Wherever the session
    flushes (an audit append flushes too), that is the stale-version answer.
    """
    return handle_fieldapp_error(PreconditionFailed())


def database_outage(error: BaseException) -> ServiceUnavailable | None:
    """The 503 for a database that is down, restarting, busy or past a timeout; else None.

    PostgreSQL's operational errors (no connection, statement or lock timeout, shutdown) and
    a pool with no connection free in time are outages; a bad statement is a bug (500).
    """
    if isinstance(error, PoolTimeout):
        kind, state = "pool_timeout", None
    elif isinstance(error, DBAPIError) and (
        error.connection_invalidated
        or isinstance(error.orig, psycopg.OperationalError)
        or (
            isinstance(error.orig, sqlite3.OperationalError)
            and str(error.orig).startswith(_SQLITE_OUTAGES)
        )
    ):
        kind, state = type(error.orig).__name__, getattr(error.orig, "sqlstate", None)
    else:
        return None
    # One line, no traceback: an outage is an event to count, not a bug to read.
    log.warning("database unavailable", extra={"fields": {"kind": kind, "sqlstate": state}})
    return ServiceUnavailable(
        "The database did not answer in time. Try again in a moment.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
    )


def handle_database_error(error: Exception) -> Response:
    """A database outage as a 503 with Retry-After; any other database error as a 500."""
    outage = database_outage(error)
    return handle_unexpected(error) if outage is None else handle_fieldapp_error(outage)


def handle_unexpected(error: BaseException) -> Response:
    """Log a safe summary of an unexpected failure and answer with a generic 500."""
    log.error("unhandled error", extra={"fields": failure_summary(error)})
    return handle_fieldapp_error(FieldappError())


def _retry_after_seconds() -> int:
    """Seconds until the breached rate-limit window resets (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def _webargs_errors(error: HTTPException) -> dict[str, list[str]] | None:
    """Flatten webargs' ``{location: {field: [messages]}}`` into ``{field: [messages]}``."""
    data = getattr(error, "data", None)
    if not isinstance(data, dict):
        return None
    messages = data.get("messages") or data.get("errors")
    if not isinstance(messages, dict):
        return None
    flat: dict[str, list[str]] = {}
    for location, fields in messages.items():
        # The location (json, query, headers) is implied by the operation; keep field names.
        _flatten(fields if isinstance(fields, dict) else {location: fields}, "", flat)
    return flat or None


def _flatten(value: Any, prefix: str, out: dict[str, list[str]]) -> None:
    """Turn nested marshmallow messages into dotted field paths."""
    if isinstance(value, dict):
        for key, inner in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "body"
            _flatten(inner, name, out)
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        out.setdefault(prefix or "body", []).extend(value)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _flatten(inner, f"{prefix}.{index}" if prefix else str(index), out)
    else:
        out.setdefault(prefix or "body", []).append(str(value))


def init_app(app: Flask) -> None:
    """Register the handlers every error goes through."""
    app.register_error_handler(FieldappError, handle_fieldapp_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(PoolTimeout, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
