"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from fieldapp.api.blueprints import Blueprint
from fieldapp.database import get_database
from fieldapp.errors import ServiceUnavailable
from fieldapp.readiness import stopping
from fieldapp.schemas.base import ApiSchema
from fieldapp.web.problems import DATABASE_RETRY_AFTER

bp = Blueprint("operations", __name__, description="Health checks for load balancers.")


class HealthSchema(ApiSchema):
    """The state of the service."""

    status = fields.String(required=True)


@bp.get("/health")
@bp.doc(operationId="GetHealth")
@bp.response(200, HealthSchema)
@bp.doc(security=[])
def health() -> dict[str, Any]:
    """Liveness: the process is serving requests."""
    return {"status": "ok"}


@bp.get("/ready")
@bp.doc(operationId="GetReadiness")
@bp.response(200, HealthSchema)
@bp.doc(security=[])
def ready() -> dict[str, Any]:
    """Readiness: the instance is not stopping and the database answers, within a second."""
    # Redis is not asked: without it an instance still serves (limits fall back per worker, the
    # principal cache to the database), and a balancer that took every instance out because the
    # one shared Redis died would turn a degraded service into no service.
    if stopping.is_set():
        raise ServiceUnavailable("This instance is shutting down.")
    if not get_database().probe.answers():
        raise ServiceUnavailable(
            "The database is not answering.",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
        )
    return {"status": "ready"}
