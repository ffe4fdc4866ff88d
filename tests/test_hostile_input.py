"""Hostile input on every route that takes a body or a query: a clear 4xx, never a 500.

The routes come from the app's own inventory (``app.url_map`` and each view's documented
arguments), so a route added later is covered without editing this file. Each runs on the
database the suite runs on (SQLite and PostgreSQL in CI), as the role the route allows, so that
the request reaches schema validation.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema
from sqlalchemy.orm import Session

from fieldapp.core.text import UNSTORABLE_TEXT_MESSAGE
from fieldapp.schemas.base import RANGE_MESSAGE, ApiDate, UtcDateTime
from tests.conftest import make_app
from tests.factories import bearer, create_user, login

ROLE_PREFERENCE = ("officer", "supervisor", "admin", "auditor")
HOSTILE_TEXT = {"nul": "Smith\x00; DROP", "surrogate": "Sm\ud800ith"}
HOSTILE_DATES = {
    "year 1 east of UTC": "0001-01-01T00:30:00+01:00",
    "year 9999 west of UTC": "9999-12-31T23:30:00-01:00",
}


def _inventory() -> Iterator[tuple[str, str, str, Schema, str]]:
    """(endpoint, method, concrete path, schema, location) for every documented argument."""
    app = make_app("sqlite://", _inventory_instance())
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        arguments = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
        for argument in arguments:
            schema = argument["schema"]
            schema = schema() if isinstance(schema, type) else schema
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, _concrete(rule.rule), schema, argument["in"]


def _inventory_instance() -> Path:
    """An instance folder for the app that only lists routes (never created: it writes nothing)."""
    return Path(tempfile.gettempdir()) / f"fieldapp-inventory-{os.getpid()}"


def _concrete(rule: str) -> str:
    """Fill every path variable with a well-formed value (validation comes before lookup)."""
    path = rule
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        variable = path[start + 1 : end]
        value = str(uuid.uuid4())
        if variable.startswith("int"):
            value = "1"
        elif variable.startswith("string") or ":" not in variable:
            value = "some-template"
        path = path[:start] + value + path[end + 1 :]
    return path


ROUTES = sorted(
    {(e, m, p, s, loc) for e, m, p, s, loc in _inventory()},
    key=lambda item: (item[0], item[1]),
)
BODY_ROUTES = [r for r in ROUTES if r[4] == "json"]
QUERY_ROUTES = [r for r in ROUTES if r[4] == "query"]


def _ids(routes: list[tuple[str, str, str, Schema, str]]) -> list[str]:
    """Readable test ids: the endpoint and method."""
    return [f"{method} {endpoint}" for endpoint, method, *_ in routes]


@pytest.fixture
def tokens(app: Flask, client: FlaskClient, session: Session) -> dict[str, str]:
    """An access token for each role."""
    found = {}
    for role in ROLE_PREFERENCE:
        create_user(app, session, username=f"hostile.{role}", role=role)
        found[role] = login(client, f"hostile.{role}")["access_token"]
    return found


def _headers(app: Flask, endpoint: str, tokens: dict[str, str]) -> dict[str, str]:
    """Credentials of a role the route allows (none for sign-in), and a plausible If-Match."""
    policy = getattr(app.view_functions[endpoint], "access_policy", None)
    headers = {"If-Match": '"1"'}
    if policy is not None:
        role = next(r for r in ROLE_PREFERENCE if r in policy.roles)
        headers.update(bearer(tokens[role]))
    return headers


def _field_names(schema: Schema) -> list[str]:
    """The names clients send for the schema's loadable fields."""
    return [field.data_key or name for name, field in schema.fields.items() if not field.dump_only]


def _date_fields(schema: Schema) -> Iterator[tuple[str, str]]:
    """(name clients send, hostile value) for every date and date-time field."""
    for name, field in schema.fields.items():
        if field.dump_only or not isinstance(field, UtcDateTime | ApiDate):
            continue
        for moment in HOSTILE_DATES.values():
            yield field.data_key or name, moment[:10] if isinstance(field, ApiDate) else moment


def _send(client: FlaskClient, method: str, path: str, headers: dict[str, str], raw: str) -> Any:
    """Send a raw JSON text (it may hold what ``json.dumps`` would not write)."""
    return client.open(
        path, method=method, headers=headers, data=raw, content_type="application/json"
    )


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Check a problem response's status and code."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["code"] == code
    return body


@pytest.mark.parametrize(
    ("endpoint", "method", "path", "schema", "location"), BODY_ROUTES, ids=_ids(BODY_ROUTES)
)
def test_hostile_text_and_dates_in_any_body_field_are_422_naming_it(
    app: Flask,
    client: FlaskClient,
    tokens: dict[str, str],
    endpoint: str,
    method: str,
    path: str,
    schema: Schema,
    location: str,
) -> None:
    headers = _headers(app, endpoint, tokens)
    for name in _field_names(schema):
        for text in HOSTILE_TEXT.values():
            response = _send(client, method, path, headers, json.dumps({name: text}))
            body = _problem(response, 422, "validation_failed")
            assert body["errors"] == {name: [UNSTORABLE_TEXT_MESSAGE]}
    for name, value in _date_fields(schema):
        response = _send(client, method, path, headers, json.dumps({name: value}))
        body = _problem(response, 422, "validation_failed")
        assert body["errors"][name] == [RANGE_MESSAGE]


@pytest.mark.parametrize(
    ("endpoint", "method", "path", "schema", "location"), BODY_ROUTES, ids=_ids(BODY_ROUTES)
)
def test_non_json_numbers_and_duplicate_keys_in_any_body_are_400(
    app: Flask,
    client: FlaskClient,
    tokens: dict[str, str],
    endpoint: str,
    method: str,
    path: str,
    schema: Schema,
    location: str,
) -> None:
    headers = _headers(app, endpoint, tokens)
    name = _field_names(schema)[0]
    for constant in ("NaN", "Infinity", "-Infinity", "1e999"):
        response = _send(client, method, path, headers, f'{{"{name}": {constant}}}')
        _problem(response, 400, "non_finite_number")
    response = _send(client, method, path, headers, f'{{"{name}": "a", "{name}": "b"}}')
    body = _problem(response, 400, "duplicate_key")
    assert body["errors"] == {name: ["This key appears more than once."]}


@pytest.mark.parametrize(
    ("endpoint", "method", "path", "schema", "location"), QUERY_ROUTES, ids=_ids(QUERY_ROUTES)
)
def test_hostile_text_and_dates_in_any_query_parameter_are_422_naming_it(
    app: Flask,
    client: FlaskClient,
    tokens: dict[str, str],
    endpoint: str,
    method: str,
    path: str,
    schema: Schema,
    location: str,
) -> None:
    headers = _headers(app, endpoint, tokens)
    for name in _field_names(schema):
        response = client.open(path, method=method, headers=headers, query_string={name: "a\x00b"})
        body = _problem(response, 422, "validation_failed")
        assert body["errors"] == {name: [UNSTORABLE_TEXT_MESSAGE]}
        # A lone surrogate has no UTF-8 form; its would-be bytes (ED A0 80) are not valid UTF-8.
        raw = f"{name}=Sm%ED%A0%80ith"
        response = client.open(path, method=method, headers=headers, query_string=raw)
        assert response.status_code in {200, 400, 404, 422}, response.get_data(as_text=True)
    for name, value in _date_fields(schema):
        response = client.open(path, method=method, headers=headers, query_string={name: value})
        body = _problem(response, 422, "validation_failed")
        assert body["errors"][name] == [RANGE_MESSAGE]
