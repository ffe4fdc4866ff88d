"""Creates that are safe to retry: the ``Idempotency-Key`` header around a create service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, json, request
from marshmallow import Schema

from fieldapp.api.context import current_principal
from fieldapp.api.etags import etag_for
from fieldapp.bodies import NO_BODY, current_body
from fieldapp.database import get_session
from fieldapp.services import idempotency

T = TypeVar("T")

IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": (
        "A unique value per create (e.g. a UUID). A retry with the same key and body returns "
        "the first response; a different body is 422; while the first is running, 409. "
        "Keys are kept for 7 days per user."
    ),
    "schema": {"type": "string", "maxLength": 255},
}


def create_once(
    create: Callable[[Callable[..., None] | None], T], *, schema: Schema, status: int = 201
) -> T | Response:
    """Run ``create`` once per Idempotency-Key; replay the stored response on a retry."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return create(None)
    session, actor = get_session(), current_principal()
    body = current_body()
    fingerprint = idempotency.fingerprint(
        request.method, request.path, None if body is NO_BODY else body
    )
    replay = idempotency.claim(
        session, user_id=actor.user_id, key=key, request_fingerprint=fingerprint
    )
    if replay is not None:
        response = Response(json.dumps(replay.body), replay.status, mimetype="application/json")
        response.headers["Idempotent-Replayed"] = "true"
        if replay.etag:
            response.headers["ETag"] = replay.etag
        return response

    def remember(created: Any, answered: int = status) -> None:
        version = getattr(created, "version", None)
        idempotency.complete(
            session,
            user_id=actor.user_id,
            key=key,
            status=answered,
            body=schema.dump(created),
            etag=etag_for(version) if isinstance(version, int) else None,
        )

    try:
        return create(remember)
    except Exception:
        idempotency.release(session, user_id=actor.user_id, key=key)
        raise
