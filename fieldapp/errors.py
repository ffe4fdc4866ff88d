"""The one error hierarchy: each error's status, stable code and title (no Flask in here).

Services raise these; ``fieldapp.web.problems`` renders every error, whoever raises it, as RFC
9457 problem details with ``Content-Type: application/problem+json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:fieldapp:problem:"

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
