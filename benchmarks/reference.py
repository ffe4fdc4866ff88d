"""The WSGI app under benchmark: fieldapp at ``/`` and reference endpoints at ``/_reference``.

Both apps run in the same gunicorn workers, so an app endpoint's throughput divided by its
reference endpoint's is comparable across runs and machines (see benchmarks/README.md).

- ``GET /_reference/bare``: a bare Flask JSON response.
- ``GET /_reference/jwt``: flask-jwt-extended's ``@jwt_required()`` only, verifying the very
  tokens fieldapp issues (same key, algorithms, audience, issuer and leeway).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_jwt_extended import JWTManager, get_jwt_identity, jwt_required
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from fieldapp import create_app

REFERENCE_PREFIX = "/_reference"

#: The JWT settings copied from fieldapp so that the reference app accepts its tokens.
SHARED_JWT_KEYS = (
    "JWT_SECRET_KEY",
    "JWT_ALGORITHM",
    "JWT_DECODE_ALGORITHMS",
    "JWT_TOKEN_LOCATION",
    "JWT_DECODE_AUDIENCE",
    "JWT_DECODE_ISSUER",
    "JWT_DECODE_LEEWAY",
    "JWT_ENCODE_AUDIENCE",
    "JWT_ENCODE_ISSUER",
)


def bare() -> dict[str, Any]:
    """The cheapest Flask JSON response."""
    return {"status": "ok"}


def require_jwt(view: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """flask-jwt-extended's ``@jwt_required()``, typed (the library declares it as ``Any``)."""
    protected: Callable[[], dict[str, Any]] = jwt_required()(view)
    return protected


@require_jwt
def jwt_only() -> dict[str, Any]:
    """Verify the bearer token with flask-jwt-extended and nothing else."""
    return {"sub": get_jwt_identity()}


def create_reference_app(source: Flask) -> Flask:
    """A minimal Flask app that verifies the tokens ``source`` issues."""
    reference = Flask(__name__)
    for key in SHARED_JWT_KEYS:
        reference.config[key] = source.config[key]
    JWTManager(reference)
    reference.add_url_rule("/bare", "bare", bare, methods=["GET"])
    reference.add_url_rule("/jwt", "jwt", jwt_only, methods=["GET"])
    return reference


def create_benchmark_app() -> DispatcherMiddleware:
    """fieldapp at ``/`` with the reference app mounted at ``/_reference``."""
    fieldapp = create_app()
    return DispatcherMiddleware(fieldapp, {REFERENCE_PREFIX: create_reference_app(fieldapp)})


app = create_benchmark_app()
