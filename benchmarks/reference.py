"""The WSGI app under benchmark: fieldapp at ``/`` and reference endpoints at ``/_reference``.

Both apps run in the same gunicorn workers, so an app endpoint's throughput divided by its
reference endpoint's is comparable across runs and machines (see benchmarks/README.md).

- ``GET /_reference/bare``: a bare Flask JSON response.
- ``GET /_reference/jwt``: flask-jwt-extended's ``@jwt_required()`` only, verifying the very
  tokens fieldapp issues (same key, algorithms, audience, issuer and leeway).
- ``GET /_reference/jwt-row/<id>``: ``@jwt_required()``, then one case row read by primary key
  from fieldapp's own database (its ``DATABASE_URL``, an engine from
  :func:`fieldapp.database.make_engine`) with a SQLAlchemy Core ``select`` on a plain pooled
  connection per request, as a typical Flask app would; a few columns as JSON.
- ``POST /_reference/jwt-render``: ``@jwt_required()``, then one render of a template compiled
  once at start-up in a plain ``ImmutableSandboxedEnvironment`` with ``StrictUndefined``, from
  the source of the built-in ``arrested-sms-en`` (``message_templates/``), with fieldapp's sample
  merge context (built once too); the text as JSON.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, ParamSpec

from flask import Flask, abort, current_app
from flask_jwt_extended import JWTManager, get_jwt_identity, jwt_required
from jinja2 import StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment
from sqlalchemy import Engine, select
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from fieldapp import create_app
from fieldapp.core.templating.check import sample_context
from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.database import make_engine
from fieldapp.models import Case

REFERENCE_PREFIX = "/_reference"
#: Where the reference app keeps its engine on fieldapp's database.
ENGINE_KEY = "benchmarks.reference.engine"
#: Where the reference app keeps its compiled template and merge context.
RENDER_KEY = "benchmarks.reference.render"
#: The built-in template whose source the render reference compiles (the preview benchmark's).
RENDER_TEMPLATE_KEY = "arrested-sms-en"

P = ParamSpec("P")

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


def require_jwt(view: Callable[P, dict[str, Any]]) -> Callable[P, dict[str, Any]]:
    """flask-jwt-extended's ``@jwt_required()``, typed (the library declares it as ``Any``)."""
    protected: Callable[P, dict[str, Any]] = jwt_required()(view)
    return protected


@require_jwt
def jwt_only() -> dict[str, Any]:
    """Verify the bearer token with flask-jwt-extended and nothing else."""
    return {"sub": get_jwt_identity()}


@require_jwt
def jwt_row(case_id: uuid.UUID) -> dict[str, Any]:
    """Verify the bearer token, then read one case by primary key: a connection per request."""
    engine: Engine = current_app.extensions[ENGINE_KEY]
    query = select(Case.id, Case.crime_reference, Case.status, Case.updated_at).where(
        Case.id == case_id
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        abort(404)
    return {
        "id": str(row.id),
        "crime_reference": row.crime_reference,
        "status": row.status,
        "updated_at": row.updated_at.isoformat(),
    }


@require_jwt
def jwt_render() -> dict[str, Any]:
    """Verify the bearer token, then render the template compiled at start-up."""
    template: Template
    context: dict[str, Any]
    template, context = current_app.extensions[RENDER_KEY]
    return {"body": template.render(context)}


def library_source(key: str) -> tuple[str, str]:
    """The body of a built-in library template and its language."""
    for item in load_library(LIBRARY_DIRECTORY):
        if item.key == key:
            return item.body, item.language
    raise LookupError(f"no built-in template {key!r} in {LIBRARY_DIRECTORY}")


def compile_reference_template(key: str) -> tuple[Template, dict[str, Any]]:
    """A library template compiled once in a plain sandbox, and the sample context to merge."""
    body, language = library_source(key)
    environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    return environment.from_string(body), sample_context(language)


def create_reference_app(source: Flask) -> Flask:
    """A minimal Flask app that verifies the tokens ``source`` issues and reads its database."""
    reference = Flask(__name__)
    for key in SHARED_JWT_KEYS:
        reference.config[key] = source.config[key]
    JWTManager(reference)
    reference.extensions[ENGINE_KEY] = make_engine(source.config["DATABASE_URL"])
    reference.extensions[RENDER_KEY] = compile_reference_template(RENDER_TEMPLATE_KEY)
    reference.add_url_rule("/bare", "bare", bare, methods=["GET"])
    reference.add_url_rule("/jwt", "jwt", jwt_only, methods=["GET"])
    reference.add_url_rule("/jwt-row/<uuid:case_id>", "jwt_row", jwt_row, methods=["GET"])
    reference.add_url_rule("/jwt-render", "jwt_render", jwt_render, methods=["POST"])
    return reference


def create_benchmark_app() -> DispatcherMiddleware:
    """fieldapp at ``/`` with the reference app mounted at ``/_reference``."""
    fieldapp = create_app()
    return DispatcherMiddleware(fieldapp, {REFERENCE_PREFIX: create_reference_app(fieldapp)})


app = create_benchmark_app()
