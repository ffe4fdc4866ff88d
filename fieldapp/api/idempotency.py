"""Creates that are safe to retry: the ``Idempotency-Key`` header around a create service.

A retry is answered by reading the created resource again through the GET's own scoped,
audited read, dumped with the create's schema and first status, with ``Idempotent-Replayed``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, json, request
from marshmallow import Schema

from fieldapp.api.context import audit_context, current_principal
from fieldapp.api.etags import etag_for
from fieldapp.database import get_session
from fieldapp.models.base import utcnow
from fieldapp.services import idempotency
from fieldapp.web.bodies import NO_BODY, current_body

T = TypeVar("T")

IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": (
        "A unique value per create (e.g. a UUID). A retry with the same key and body returns "
        "what the first created, as it is now and only if you may still see it (404 if not, "
        "410 if it is no longer kept), with 'Idempotent-Replayed: true'; a different body is "
        "422; while the first is running, 409. Keys are kept for 7 days per user."
    ),
    "schema": {"type": "string", "maxLength": 255},
}


def _id_of(created: Any) -> str:
    """The id a created resource is read back by."""
    return str(created.id)


def create_once(
    create: Callable[[], T],
    *,
    schema: Schema,
    resource_type: str,
    read: Callable[[str], Any],
    identify: Callable[[Any], str] = _id_of,
    status: Callable[[T], int] = lambda _created: 201,
) -> T | Response:
    """Run ``create`` and commit it once per Idempotency-Key; a retry reads it again.

    The create service only flushes: this one commit holds the created rows, their audit
    records and, with a key, what was created (so a retry finds it). A failed create releases
    the key, after any denial the service committed on its way out.
    """
    session = get_session()
    key = request.headers.get("Idempotency-Key")
    if key is None:
        created = create()
        session.commit()
        return created
    actor = current_principal()
    body = current_body()
    fingerprint = idempotency.fingerprint(
        request.method, request.path, None if body is NO_BODY else body
    )
    claimed = idempotency.claim(
        session, user_id=actor.user_id, key=key, request_fingerprint=fingerprint, now=utcnow()
    )
    if isinstance(claimed, idempotency.Replay):
        return _replayed(claimed, schema=schema, read=read)
    try:
        created = create()
        idempotency.complete(
            session,
            user_id=actor.user_id,
            key=key,
            owner=claimed.owner,
            status=status(created),
            resource_type=resource_type,
            resource_id=identify(created),
        )
        session.commit()
    except Exception:
        idempotency.release(session, user_id=actor.user_id, key=key, owner=claimed.owner)
        raise
    return created


def _replayed(
    stored: idempotency.Replay, *, schema: Schema, read: Callable[[str], Any]
) -> Response:
    """The replay response: the resource as it is now, with the first status."""
    resource = idempotency.replay(get_session(), audit_context(), stored, read)
    response = Response(
        json.dumps(schema.dump(resource)), stored.status, mimetype="application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    version = getattr(resource, "version", None)
    if isinstance(version, int):
        response.headers["ETag"] = etag_for(version)
    return response
