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
  the source of the built-in ``arrested-sms-en`` (``message_templates/``), with
  fieldapp's sample merge context (built once too); the text as JSON.
- ``POST /_reference/jwt-insert``: ``@jwt_required()``, then one row inserted into
  ``bench_reference_rows`` (a table of the reference app's own, created at start-up if missing)
  on fieldapp's database with a SQLAlchemy Core ``insert`` on a pooled connection, in one
  transaction (``engine.begin()``); the request body is stored as text, the new id returned
  with 201.
- ``GET /_reference/jwt-page``: ``@jwt_required()``, then one page of 50 ``contact_duties`` rows
  (a few columns, earliest deadline first) with one SQLAlchemy Core ``select``; as JSON.
- ``GET /_reference/page/<id>``: a console-like HTML page: Flask's signed cookie session must
  hold a user (``GET /_reference/sign-in`` sets it; otherwise 401), then one case row read by
  primary key and ``templates/reference_page.html`` (a page of about the console case page's
  size) rendered with Flask's ``render_template``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from flask import Flask, abort, current_app, render_template, request, session
from flask_jwt_extended import JWTManager, get_jwt_identity, jwt_required
from jinja2 import StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment
from sqlalchemy import Column, DateTime, Engine, MetaData, Table, Text, Uuid, insert, select
from sqlalchemy.exc import DBAPIError
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from fieldapp import create_app
from fieldapp.core.templating.check import sample_context
from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.database import make_engine
from fieldapp.models import Case, ContactDuty

REFERENCE_PREFIX = "/_reference"
#: Where the reference app keeps its engine on fieldapp's database.
ENGINE_KEY = "benchmarks.reference.engine"
#: Where the reference app keeps its compiled template and merge context.
RENDER_KEY = "benchmarks.reference.render"
#: The rows ``/_reference/jwt-page`` returns: the API's default page size.
PAGE_ROWS = 50
#: The reference app's own cookie, so that it never meets fieldapp's console session cookie.
SESSION_COOKIE = "reference_session"
#: The built-in template whose source the render reference compiles (the preview benchmark's).
RENDER_TEMPLATE_KEY = "arrested-sms-en"

P = ParamSpec("P")
R = TypeVar("R")

#: The reference app's own tables, apart from fieldapp's models and migrations.
REFERENCE_METADATA = MetaData()
#: What ``/_reference/jwt-insert`` writes to: one row per request, never read.
REFERENCE_ROWS = Table(
    "bench_reference_rows",
    REFERENCE_METADATA,
    Column("id", Uuid, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("body", Text, nullable=False),
)

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


def require_jwt(view: Callable[P, R]) -> Callable[P, R]:
    """flask-jwt-extended's ``@jwt_required()``, typed (the library declares it as ``Any``)."""
    protected: Callable[P, R] = jwt_required()(view)
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
def jwt_insert() -> tuple[dict[str, Any], int]:
    """Verify the bearer token, then insert one row in one transaction: a connection per request."""
    engine: Engine = current_app.extensions[ENGINE_KEY]
    row_id = uuid.uuid4()
    values = {"id": row_id, "created_at": datetime.now(UTC), "body": request.get_data(as_text=True)}
    with engine.begin() as connection:
        connection.execute(insert(REFERENCE_ROWS).values(values))
    return {"id": str(row_id)}, 201


@require_jwt
def jwt_page() -> dict[str, Any]:
    """Verify the bearer token, then read one page of duty rows: a connection per request."""
    engine: Engine = current_app.extensions[ENGINE_KEY]
    columns = (ContactDuty.id, ContactDuty.case_id, ContactDuty.kind, ContactDuty.title,
               ContactDuty.due_at, ContactDuty.status)  # fmt: skip
    query = select(*columns).order_by(ContactDuty.due_at, ContactDuty.id).limit(PAGE_ROWS)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return {
        "value": [
            {
                "id": str(r.id),
                "case_id": str(r.case_id),
                "kind": r.kind,
                "title": r.title,
                "due_at": r.due_at.isoformat(),
                "status": r.status,
            }
            for r in rows
        ]
    }


def sign_in() -> dict[str, Any]:
    """Put a user into the reference app's signed cookie session (the run calls it once)."""
    session["user"] = "bench"
    return {"status": "signed in"}


def page(case_id: uuid.UUID) -> str:
    """A signed-in user's HTML page about one case: a cookie check, one row, one template."""
    if session.get("user") is None:
        abort(401)
    engine: Engine = current_app.extensions[ENGINE_KEY]
    query = select(Case.id, Case.crime_reference, Case.offence, Case.status, Case.updated_at)
    with engine.connect() as connection:
        row = connection.execute(query.where(Case.id == case_id)).first()
    if row is None:
        abort(404)
    return render_template("reference_page.html", case=row, user=session["user"])


def create_reference_tables(engine: Engine) -> None:
    """Create the reference app's tables if missing.

    Every gunicorn worker does so at start-up; when two race, the loser's ``CREATE TABLE``
    fails, and a second look finds the table there.
    """
    try:
        REFERENCE_METADATA.create_all(engine, checkfirst=True)
    except DBAPIError:
        REFERENCE_METADATA.create_all(engine, checkfirst=True)


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
    reference.config["SECRET_KEY"] = source.config["SECRET_KEY"]
    reference.config["SESSION_COOKIE_NAME"] = SESSION_COOKIE
    JWTManager(reference)
    engine = make_engine(source.config["DATABASE_URL"])
    create_reference_tables(engine)
    reference.extensions[ENGINE_KEY] = engine
    reference.extensions[RENDER_KEY] = compile_reference_template(RENDER_TEMPLATE_KEY)
    reference.add_url_rule("/bare", "bare", bare, methods=["GET"])
    reference.add_url_rule("/jwt", "jwt", jwt_only, methods=["GET"])
    reference.add_url_rule("/jwt-row/<uuid:case_id>", "jwt_row", jwt_row, methods=["GET"])
    reference.add_url_rule("/jwt-render", "jwt_render", jwt_render, methods=["POST"])
    reference.add_url_rule("/jwt-insert", "jwt_insert", jwt_insert, methods=["POST"])
    reference.add_url_rule("/jwt-page", "jwt_page", jwt_page, methods=["GET"])
    reference.add_url_rule("/sign-in", "sign_in", sign_in, methods=["GET"])
    reference.add_url_rule("/page/<uuid:case_id>", "page", page, methods=["GET"])
    return reference


def create_benchmark_app() -> DispatcherMiddleware:
    """fieldapp at ``/`` with the reference app mounted at ``/_reference``."""
    fieldapp = create_app()
    return DispatcherMiddleware(fieldapp, {REFERENCE_PREFIX: create_reference_app(fieldapp)})


app = create_benchmark_app()
