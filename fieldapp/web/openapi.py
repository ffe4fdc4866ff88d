"""The OpenAPI 3 document, generated from the marshmallow schemas by flask-smorest.

Served at /openapi.json and /openapi.yaml, with Swagger UI 5 at /docs whose assets are
npm's ``swagger-ui-dist`` (package.json), copied by ``make assets`` into
``fieldapp/web/swagger_ui/`` and served from there (no CDN). ``flask --app wsgi openapi
write`` regenerates the committed ``openapi.yaml``.
"""

from __future__ import annotations

import http
from pathlib import Path
from typing import Any

import click
import yaml
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, Response, current_app, send_from_directory
from flask.cli import AppGroup
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from fieldapp.errors import PROBLEM_MEDIA_TYPE
from fieldapp.schemas.problems import ProblemSchema
from fieldapp.web.openapi_enums import EnumConverter, prune_unused_enums
from fieldapp.web.openapi_events import EVENT_UNIONS, event_union
from fieldapp.web.openapi_examples import document_examples
from fieldapp.web.openapi_headers import document_headers, error_headers, register_headers

DESCRIPTION = (
    "fieldapp is the JSON API behind police officers' work phones: sign-in per device, "
    "cases, victims and Victims' Code duties, and victim-update messages written from "
    "reviewed templates. Every error is RFC 9457 problem details."
)


ACCESS_DOC = "The access_token from POST /api/v1/auth/login, as 'Authorization: Bearer ...'."
REFRESH_DOC = "The refresh_token, sent only to POST /api/v1/auth/refresh."
API_KEY_DOC = (
    "An integration key from an admin (POST /api/v1/api-keys), as 'X-API-Key: fa_...'. It acts "
    "for one user, within its scopes (each operation that accepts keys names its scope in "
    "x-api-key-scope) and its own rate limit; operations without a scope refuse keys."
)

#: Where the API is. The committed document must not depend on the machine that wrote it, so
#: the first server is relative ("/": the origin the document was fetched from, which is right
#: for Swagger UI at /docs and for a client given the document's URL); the second is what a
#: deployment looks like (its FIELDAPP_PUBLIC_URL), with the host as a variable to fill in.
SERVERS = [
    {"url": "/", "description": "The server this document was fetched from."},
    {
        "url": "https://{host}",
        "description": "A deployment: its FIELDAPP_PUBLIC_URL (HTTPS only).",
        "variables": {
            "host": {
                "default": "fieldapp.example.police.uk",
                "description": "The force's fieldapp host name.",
            }
        },
    },
]


def _schema_name(schema: Any) -> str:
    """Name components after the schema class, without the 'Schema' suffix."""
    cls = schema if isinstance(schema, type) else schema.__class__
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and getattr(schema, "partial", False):
        name += "Patch"
    return name


class FieldappMarshmallowPlugin(MarshmallowPlugin):
    """The marshmallow plugin with named enums and events as a union discriminated by type."""

    Converter = EnumConverter

    def schema_helper(  # type: ignore[override]
        self, name: Any, _: Any, schema: Any = None, **kwargs: Any
    ) -> Any:
        """A schema's JSON schema; an event schema's as the union of its types."""
        plain = super().schema_helper(name, _, schema, **kwargs)  # type: ignore[no-untyped-call]
        cls = schema if isinstance(schema, type) else type(schema)
        suffix = EVENT_UNIONS.get(cls)
        if plain is None or suffix is None or self.spec is None or self.converter is None:
            return plain
        return event_union(self.spec, self.converter, suffix, plain)


class FieldappApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, documenting errors as application/problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        """Document every error status with the problem schema and media type."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                response["headers"] = error_headers(status)
            prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {
            "description": "Any error, as problem details.",
            "schema": self.ERROR_SCHEMA,
            "headers": error_headers(0),
        }
        prepare_response(default, self.spec, PROBLEM_MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)

    def document_answers(self) -> None:
        """Once every blueprint is registered: the headers, examples and error statuses of
        every operation, and only the enums something uses (one pass over the whole document,
        not one per blueprint: building an app stays cheap)."""
        # apispec keeps the paths privately; the headers pass needs every operation of a path.
        document_headers(self.spec._paths, self.spec.components.schemas)
        document_examples(self.spec._paths, self.spec.components.schemas)
        self._document_error_statuses()
        prune_unused_enums(
            {"paths": self.spec._paths, "components": {"schemas": self.spec.components.schemas}}
        )

    def _document_error_statuses(self) -> None:
        """401 on every operation that needs credentials, 404 on those that name a record."""
        for item in self.spec._paths.values():
            names_record = any(p.get("in") == "path" for p in item.get("parameters", ()))
            for method, operation in item.items():
                if method == "parameters":
                    continue
                statuses = []
                if operation.get("security", self.spec.options["security"]):
                    statuses.append(http.HTTPStatus.UNAUTHORIZED)
                if names_record:
                    statuses.append(http.HTTPStatus.NOT_FOUND)
                for status in statuses:
                    operation["responses"].setdefault(str(status.value), self._error_ref(status))

    def _error_ref(self, status: http.HTTPStatus) -> dict[str, str]:
        """A reference to a shared error response, registering it and its headers if lazy."""
        ref: dict[str, str] = self.spec.components.get_ref("response", status.name)
        response = self.spec.components.responses[status.name]
        for header in response.get("headers", {}).values():
            self.spec.components.get_ref("header", header["$ref"].rsplit("/", 1)[-1])
        return ref

    def _register_pagination_header(self) -> None:
        """Nothing: lists page with nextLink in the body, not flask-smorest's X-Pagination."""


def current_api() -> FieldappApi:
    """The running app's Api (one per app, so tests can build many apps)."""
    api: FieldappApi = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return api


docs_bp = Blueprint("docs", __name__)
#: Where ``make assets`` copies Swagger UI (git-ignored, like the console's vendor files).
SWAGGER_UI_DIRECTORY = Path(__file__).resolve().parent / "swagger_ui"


def generate_document() -> str:
    """The OpenAPI document as YAML, exactly as committed in openapi.yaml."""
    spec: dict[str, Any] = current_api().spec.to_dict()
    # Conventional order: version and info first, then paths and components.
    first = ("openapi", "info", "servers", "security", "tags", "paths", "components")
    ordered = {key: spec[key] for key in first if key in spec}
    ordered.update((key, value) for key, value in spec.items() if key not in ordered)
    return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=100)


@docs_bp.get("/openapi.yaml")
def openapi_yaml() -> Response:
    """The OpenAPI document as YAML."""
    return Response(generate_document(), mimetype="application/yaml")


@docs_bp.get("/docs/assets/<path:filename>")
def swagger_ui_asset(filename: str) -> Response:
    """Swagger UI's scripts and styles, copied from npm's swagger-ui-dist by make assets."""
    response = send_from_directory(SWAGGER_UI_DIRECTORY, filename, max_age=3600)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


openapi_cli = AppGroup("openapi", help="OpenAPI document commands.")


@openapi_cli.command("write")
@click.option("--output", default="openapi.yaml", type=click.Path(dir_okay=False))
def write_openapi(output: str) -> None:
    """Write the generated document to openapi.yaml."""
    Path(output).write_text(generate_document(), encoding="utf-8")
    click.echo(f"wrote {output}")


def init_app(app: Flask) -> FieldappApi:
    """Attach flask-smorest, the YAML route, the UI assets and the CLI."""
    api = FieldappApi(
        app,
        spec_kwargs={
            "marshmallow_plugin": FieldappMarshmallowPlugin(schema_name_resolver=_schema_name),
            "info": {"description": DESCRIPTION},
            "security": [{"bearerAuth": []}],
            "servers": SERVERS,
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": ACCESS_DOC},
    )
    api.spec.components.security_scheme(
        "apiKey",
        {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": API_KEY_DOC},
    )
    api.spec.components.security_scheme(
        "refreshToken",
        {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": REFRESH_DOC},
    )
    register_headers(api.spec)
    app.register_blueprint(docs_bp)
    app.cli.add_command(openapi_cli)
    return api
