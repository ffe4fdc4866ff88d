"""The response headers the server sends, documented once as components and referenced.

Three groups, each decided in one place:

- every response (``X-Request-ID``, ``Cache-Control``, ``X-Content-Type-Options``,
  ``fieldapp.web.logs``), and those of one error status (``Retry-After`` on 409, 429 and 503,
  ``WWW-Authenticate`` on 401, ``Allow`` on 405), on the shared error responses;
- on successes, by a structural rule over the finished document (``document_headers``):
  ``ETag`` where a record can be changed with ``If-Match`` (the change's answer, the read of
  the same path) and on creates whose record has a version; ``Idempotent-Replayed`` on every
  create that takes an ``Idempotency-Key``;
- named by the view itself, where only it knows (``Content-Disposition`` on the letter,
  the rate-limit headers of sign-in), as ``@bp.doc(responses=...)`` referring to a component.

The test in ``tests/web/test_openapi_headers.py`` walks real responses and fails on any header
a success carries that the document does not name for that operation and status.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from fieldapp.web.logs import REQUEST_ID_HEADER

HEADER_REF = "#/components/headers/"
ETAG, REPLAYED, RETRY_AFTER = "ETag", "Idempotent-Replayed", "Retry-After"

_TEXT = {"type": "string"}
HEADERS: dict[str, dict[str, Any]] = {
    REQUEST_ID_HEADER: {
        "description": "The request's id: the caller's own X-Request-ID if it is safe "
        "(1 to 128 of A-Z a-z 0-9 . _ : -), else a new one. Problems quote it as trace_id.",
        "schema": {**_TEXT, "example": "4f1c2b0e9d8a4c7b9e6f5a4b3c2d1e0f"},
    },
    "Cache-Control": {
        "description": "no-store: answers hold personal data and are never cached.",
        "schema": {**_TEXT, "example": "no-store"},
    },
    "X-Content-Type-Options": {
        "description": "nosniff: the body is only ever what its Content-Type says.",
        "schema": {**_TEXT, "enum": ["nosniff"]},
    },
    ETAG: {
        "description": "The record's version as a strong ETag; send it back as If-Match to "
        "change the record. On a create, the created record's (when it has a version).",
        "schema": {**_TEXT, "example": '"3"'},
    },
    REPLAYED: {
        "description": "true when this answer replays an earlier create with the same "
        "Idempotency-Key (nothing new was created); absent otherwise.",
        "schema": {**_TEXT, "enum": ["true"]},
    },
    RETRY_AFTER: {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0, "example": 2},
    },
    "WWW-Authenticate": {
        "description": "The Bearer challenge (RFC 6750) with its error code.",
        "schema": {**_TEXT, "example": 'Bearer error="invalid_token"'},
    },
    "Allow": {
        "description": "The methods this resource answers.",
        "schema": {**_TEXT, "example": "GET, PATCH"},
    },
    "Content-Disposition": {
        "description": "The letter as an attachment with its file name.",
        "schema": {**_TEXT, "example": 'attachment; filename="letter-<message id>.pdf"'},
    },
    "X-RateLimit-Limit": {
        "description": "Requests allowed in the current window (sign-in's tightest limit).",
        "schema": {"type": "integer", "example": 10},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer", "example": 9},
    },
    "X-RateLimit-Reset": {
        "description": "When the current window resets, in Unix seconds.",
        "schema": {"type": "number", "example": 1796047500},
    },
}
EVERY_RESPONSE = (REQUEST_ID_HEADER, "Cache-Control", "X-Content-Type-Options")
BY_ERROR_STATUS: dict[int, tuple[str, ...]] = {
    401: ("WWW-Authenticate",),
    405: ("Allow",),
    409: (RETRY_AFTER,),  # a create with the same Idempotency-Key still running
    429: (RETRY_AFTER,),
    503: (RETRY_AFTER,),
}
#: What a view sends on its success because of its rate limit (flask-limiter's headers).
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def header_refs(*names: str) -> dict[str, str]:
    """Headers for a response in a view's ``@bp.doc``, by component name."""
    return {name: name for name in names}


def register_headers(spec: APISpec) -> None:
    """The header components: those ``document_headers`` refers to, the others when used."""
    always = {*EVERY_RESPONSE, ETAG, REPLAYED}
    for name, header in HEADERS.items():
        spec.components.header(name, header, lazy=name not in always)


def error_headers(status: int) -> dict[str, str]:
    """The headers of the shared response for one status (names resolve to components)."""
    return header_refs(*EVERY_RESPONSE, *BY_ERROR_STATUS.get(status, ()))


def document_headers(paths: dict[str, dict[str, Any]], schemas: dict[str, dict[str, Any]]) -> None:
    """Add the headers every answer and the successes carry, in place (idempotent)."""
    for item in paths.values():
        operations = {m: op for m, op in item.items() if m != "parameters"}
        changeable = any(_takes(op, "If-Match") for op in operations.values())
        for method, operation in operations.items():
            creates = _takes(operation, "Idempotency-Key")
            for status, response in operation.get("responses", {}).items():
                if "$ref" in response:
                    continue  # a shared error response: documented where it is defined
                names = list(EVERY_RESPONSE)
                if str(status).startswith("2"):
                    etag = changeable and method in ("get", "patch")
                    if etag or (creates and _has_version(response, schemas)):
                        names.append(ETAG)
                    if creates:
                        names.append(REPLAYED)
                headers = response.setdefault("headers", {})
                for name in names:
                    headers.setdefault(name, {"$ref": HEADER_REF + name})


def _takes(operation: dict[str, Any], header: str) -> bool:
    """Whether an operation documents a request header."""
    return any(p.get("name") == header for p in operation.get("parameters", ()))


def _has_version(response: dict[str, Any], schemas: dict[str, dict[str, Any]]) -> bool:
    """Whether a response's record has a version (a replay then sends its ETag)."""
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    name = str(schema.get("$ref", "")).rsplit("/", 1)[-1]
    return "version" in schemas.get(name, {}).get("properties", {})
