"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from fieldapp.api.blueprints import Blueprint
from fieldapp.database import get_database
from fieldapp.errors import ServiceUnavailable
from fieldapp.readiness import stopping
from fieldapp.schemas.base import ApiSchema
from fieldapp.web.limits import rate_limit_storage_answers
from fieldapp.web.problems import DATABASE_RETRY_AFTER

bp = Blueprint("operations", __name__, description="Health checks for load balancers.")


class HealthSchema(ApiSchema):
    """The state of the service."""

    status = fields.String(required=True)


@bp.get("/health")
@bp.response(200, HealthSchema)
@bp.doc(security=[])
def health() -> dict[str, Any]:
    """Liveness: the process is serving requests."""
    return {"status": "ok"}


@bp.get("/ready")
@bp.response(200, HealthSchema)
@bp.doc(security=[])
def ready() -> dict[str, Any]:
    """Readiness: the instance is not stopping and the database answers, within a second."""
    if stopping.is_set():
        raise ServiceUnavailable("This instance is shutting down.")
    if not get_database().probe.answers():
        raise ServiceUnavailable(
            "The database is not answering.",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
        )
    if not rate_limit_storage_answers():
        raise ServiceUnavailable("The rate-limit store (Redis) is not answering.")
    return {"status": "ready"}
