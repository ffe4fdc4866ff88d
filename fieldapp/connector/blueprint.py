"""Serve the connector files at /connector/..., built from the running app's OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response

from fieldapp.connector.definition import (
    DEFAULT_HOST,
    JSON,
    build_definition,
    build_properties,
    dump,
)
from fieldapp.web.links import public_host
from fieldapp.web.openapi import current_api

bp = Blueprint("connector", __name__, url_prefix="/connector")


def generate_definition(*, host: str = DEFAULT_HOST, scheme: str = "https") -> dict[str, Any]:
    """The running app's connector definition (needs an app context)."""
    return build_definition(current_api().spec.to_dict(), host=host, scheme=scheme)


@bp.get("/apiDefinition.swagger.json")
def api_definition() -> Response:
    """The connector definition, naming the configured public host (FIELDAPP_PUBLIC_URL)."""
    host, scheme = public_host()
    return Response(dump(generate_definition(host=host, scheme=scheme)), mimetype=JSON)


@bp.get("/apiProperties.json")
def api_properties() -> Response:
    """The connector's apiProperties.json."""
    return Response(dump(build_properties()), mimetype=JSON)


def init_app(app: Flask) -> None:
    """Serve the connector files."""
    app.register_blueprint(bp)
