"""The one error hierarchy and the one error shape (RFC 9457 problem details).

Every error, whoever raises it (a service, Werkzeug, webargs, flask-jwt-extended,
flask-limiter, or an unexpected exception), leaves the app through
``problem_response`` with ``Content-Type: application/problem+json``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, json
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from fieldapp.logs import failure_summary

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:fieldapp:problem:"

log = logging.getLogger("fieldapp.errors")

FieldErrors = Mapping[str, list[str]]


class FieldappError(Exception):
    """Base of every error fieldapp raises on purpose."""

    status_code = 500
    code = "internal_error"
    title = "Internal server error"
    default_detail = "Something went wrong on our side. The error has been logged."
    # True when whoever raises it has already recorded the refusal in the audit trail, with
    # the resource it concerns; the access layer then does not record it again as a route.
    audited = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: FieldErrors | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
        audited: bool | None = None,
    ) -> None:
        super().__init__(detail or self.default_detail)
        if audited is not None:
            self.audited = audited
        self.detail = detail or self.default_detail
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


class BadRequest(FieldappError):
    """The request could not be understood."""

    status_code, code, title = 400, "bad_request", "Bad request"
    default_detail = "The request could not be understood."


class MalformedJson(BadRequest):
    """The body is not valid JSON."""

    code, title = "malformed_json", "Malformed JSON"
    default_detail = "The request body is not valid JSON."


class JsonTooDeep(BadRequest):
    """The JSON body nests deeper than allowed."""

    code, title = "json_too_deep", "JSON nested too deeply"
    default_detail = "The request body is nested too deeply."


class DuplicateKey(BadRequest):
    """The JSON body names the same key twice in one object."""

    code, title = "duplicate_key", "Duplicate JSON key"
    default_detail = "The request body names the same key twice."


class NonFiniteNumber(BadRequest):
    """The JSON body holds NaN or Infinity, which JSON (RFC 8259) does not have."""

    code, title = "non_finite_number", "Not a JSON number"
    default_detail = "NaN and Infinity are not JSON numbers; send a finite number."


class UnknownParameter(BadRequest):
    """A query parameter the operation does not define."""

    code, title = "unknown_parameter", "Unknown query parameter"
    default_detail = "The query string names parameters this operation does not take."


class Unauthorized(FieldappError):
    """No valid credentials were sent."""

    status_code, code, title = 401, "unauthorized", "Authentication required"
    default_detail = "Sign in and send 'Authorization: Bearer <access token>'."

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("WWW-Authenticate", f'Bearer error="{self.www_error}"')

    www_error = "invalid_request"


class InvalidCredentials(Unauthorized):
    """Sign-in refused; deliberately vague about why."""

    code, title = "invalid_credentials", "Sign-in failed"
    default_detail = "The username or password is incorrect, or the account cannot sign in."
    www_error = "invalid_request"


class InvalidToken(Unauthorized):
    """The token is malformed, badly signed, of the wrong type or incomplete."""

    code, title = "invalid_token", "Invalid token"
    default_detail = "The token is not valid."
    www_error = "invalid_token"


class TokenExpired(InvalidToken):
    """The token's lifetime is over."""

    code, title = "token_expired", "Token expired"
    default_detail = "The token has expired. Refresh it or sign in again."


class TokenRevoked(InvalidToken):
    """The device session behind the token has ended."""

    code, title = "token_revoked", "Session ended"
    default_detail = "This session has ended. Sign in again."


class RefreshTokenReused(InvalidToken):
    """A spent refresh token came back: the session is ended."""

    code, title = "refresh_token_reused", "Refresh token reused"
    audited = True
    default_detail = (
        "This refresh token was already used, so the device session has been ended. Sign in again."
    )


class InvalidApiKey(Unauthorized):
    """The X-API-Key is unknown, wrong, revoked, expired, or its user is disabled."""

    code, title = "invalid_api_key", "Invalid API key"
    default_detail = "The API key is not valid, or it has been revoked or has expired."
    www_error = "invalid_token"


class Forbidden(FieldappError):
    """The caller's role may not do this."""

    status_code, code, title = 403, "forbidden", "Forbidden"
    default_detail = "Your role does not allow this."


class InsufficientScope(Forbidden):
    """The API key lacks the scope this operation needs."""

    code, title = "insufficient_scope", "Insufficient scope"
    default_detail = "The API key does not have the scope this operation needs."


class ApiKeyNotAccepted(Forbidden):
    """The operation cannot be called with an API key at all."""

    code, title = "api_key_not_accepted", "API key not accepted"
    default_detail = "This operation cannot be called with an API key; sign in as a person."


class NotFound(FieldappError):
    """Nothing there, or nothing the caller may see."""

    status_code, code, title = 404, "not_found", "Not found"
    default_detail = "There is nothing here, or you may not see it."


class Conflict(FieldappError):
    """The request clashes with what is stored."""

    status_code, code, title = 409, "conflict", "Conflict"
    default_detail = "The request conflicts with the current state."


class PreconditionFailed(FieldappError):
    """If-Match does not match the stored version."""

    status_code, code, title = 412, "precondition_failed", "Stale version"
    default_detail = "The record changed since you read it. Fetch it again and retry."


class PreconditionRequired(FieldappError):
    """An update came without If-Match."""

    status_code, code, title = 428, "precondition_required", "If-Match required"
    default_detail = "Send 'If-Match' with the ETag you last read."


class ValidationFailed(FieldappError):
    """The body or parameters break their schema or a rule."""

    status_code, code, title = 422, "validation_failed", "Validation failed"
    default_detail = "Some fields are not valid."


class UnsupportedMediaType(FieldappError):
    """A body that is not JSON."""

    status_code, code, title = 415, "unsupported_media_type", "Unsupported media type"
    default_detail = "Send the body as 'Content-Type: application/json'."


class RateLimited(FieldappError):
    """Too many requests in the current window; ``Retry-After`` says when to come back."""

    status_code, code, title = 429, "rate_limited", "Too Many Requests"
    default_detail = "Too many requests. Wait and try again."


class ServiceUnavailable(FieldappError):
    """A dependency (the database) is down."""

    status_code, code, title = 503, "service_unavailable", "Service unavailable"
    default_detail = "A service fieldapp depends on is not answering."


# Werkzeug (and the extensions built on it) raise HTTPExceptions; give each a stable code.
HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "Authentication required."),
    403: ("forbidden", "Your role does not allow this."),
    404: ("not_found", "There is nothing here, or you may not see it."),
    405: ("method_not_allowed", "This method is not allowed on this resource."),
    406: ("not_acceptable", "This resource only answers in JSON."),
    409: ("conflict", "The request conflicts with the current state."),
    412: ("precondition_failed", "The record changed since you read it."),
    413: ("payload_too_large", "The request body is too large."),
    414: ("uri_too_long", "The request URL is too long."),
    415: ("unsupported_media_type", "Send the body as 'Content-Type: application/json'."),
    422: ("validation_failed", "Some fields are not valid."),
    428: ("precondition_required", "Send 'If-Match' with the ETag you last read."),
    429: ("rate_limited", "Too many requests. Wait and try again."),
    431: ("headers_too_large", "The request headers are too large."),
}


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


def handle_unexpected(error: BaseException) -> Response:
    """Log a safe summary of an unexpected failure and answer with a generic 500."""
    log.error("unhandled error", extra={"fields": failure_summary(error)})
    return handle_fieldapp_error(FieldappError())


def _retry_after_seconds() -> int:
    """Seconds until the breached rate-limit window resets (at least 1)."""
    import time

    # Imported here: fieldapp.limits imports request parsing, which imports this module.
    from fieldapp.limits import limiter

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
    app.register_error_handler(Exception, handle_unexpected)
