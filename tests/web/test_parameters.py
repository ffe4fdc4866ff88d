"""Query strings, path segments and headers: unknown parameters and unstorable text refused."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.cursors import encode_cursor
from fieldapp.core.text import UNSTORABLE_TEXT_MESSAGE
from fieldapp.models import Case
from tests.conftest import make_app
from tests.factories import bearer, create_user, login
from tests.test_hostile_input import ROLE_PREFERENCE, _concrete, _inventory_instance


def _every_route() -> list[tuple[str, str, str]]:
    """(endpoint, method, concrete path) of every API route (console pages read their own)."""
    app = make_app("sqlite://", _inventory_instance())
    return sorted(
        (rule.endpoint, method, _concrete(rule.rule))
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
        if not rule.endpoint.startswith("console")
    )


@pytest.fixture
def credentials(app: Flask, client: FlaskClient, session: Session) -> dict[str, str]:
    """Access tokens by role, and the refresh token (as "refresh")."""
    found = {}
    for role in ROLE_PREFERENCE:
        create_user(app, session, username=f"params.{role}", role=role)
        found[role] = login(client, f"params.{role}")["access_token"]
    found["refresh"] = login(client, "params.officer")["refresh_token"]
    return found


def _credential_for(app: Flask, endpoint: str, credentials: dict[str, str]) -> dict[str, str]:
    """The Authorization header of a caller the route lets through (none on public routes)."""
    policy = getattr(app.view_functions[endpoint], "access_policy", None)
    if policy is None:
        return {}
    if policy.refresh:
        return bearer(credentials["refresh"])
    return bearer(credentials[next(r for r in ROLE_PREFERENCE if r in policy.roles)])


@pytest.mark.parametrize(("endpoint", "method", "path"), _every_route())
def test_an_unknown_query_parameter_is_400_naming_it_on_every_route(
    app: Flask,
    client: FlaskClient,
    credentials: dict[str, str],
    endpoint: str,
    method: str,
    path: str,
) -> None:
    headers = _credential_for(app, endpoint, credentials)
    query = {"stauts": "open", "limit": "5"}
    response = client.open(path, method=method, headers=headers, query_string=query)
    body = response.get_json()
    if "limit" in (body.get("errors") or {}):  # only list routes take limit
        del body["errors"]["limit"]
    assert response.status_code == 400, body
    assert body["code"] == "unknown_parameter"
    assert body["errors"]["stauts"] == ["This operation does not take this parameter."]
    assert "stauts" in body["detail"]


def test_a_stranger_gets_401_before_any_parameter_is_judged(client: FlaskClient) -> None:
    response = client.get("/api/v1/cases?stauts=open")
    assert response.status_code == 401


def test_a_documented_query_parameter_still_filters(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.query")
    token = login(client, "pc.query")["access_token"]
    response = client.get("/api/v1/cases?limit=5&status=open", headers=bearer(token))
    assert response.status_code == 200, response.get_json()


def test_a_nul_in_a_path_segment_is_422_not_a_database_error(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.path")
    token = login(client, "pc.path")["access_token"]
    response = client.get("/api/v1/templates/a%00b", headers=bearer(token))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"key": [UNSTORABLE_TEXT_MESSAGE]}


def test_a_nul_in_a_header_that_reaches_the_database_is_422(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.header")
    token = login(client, "pc.header")["access_token"]
    response = client.post(
        "/api/v1/cases",
        headers={**bearer(token), "Idempotency-Key": "retry\x00-1"},
        json={"crime_reference": "CR/1/26", "offence": "Burglary"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"Idempotency-Key": [UNSTORABLE_TEXT_MESSAGE]}
    assert session.scalars(select(Case)).all() == []


@pytest.mark.parametrize("field", ["username", "password", "device_name"])
def test_a_nul_or_lone_surrogate_in_the_sign_in_body_is_422_naming_the_field(
    client: FlaskClient, field: str
) -> None:
    for bad in ("alice\x00", "al\udc00ice"):
        body = {"username": "alice", "password": "a long enough password", "device_name": "x"}
        response = client.post("/api/v1/auth/login", json={**body, field: bad})
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["errors"] == {field: [UNSTORABLE_TEXT_MESSAGE]}


@pytest.mark.parametrize(
    "cursor",
    [
        "A" * 4_000,
        encode_cursor(["2026-01-01T00:00:00", str(uuid.uuid4())]),  # naive time
        encode_cursor(["0001-01-01T00:00:00+00:00", str(uuid.uuid4())]),
        encode_cursor(["\x00", str(uuid.uuid4())]),
    ],
    ids=["oversized", "naive time", "year 1", "nul"],
)
def test_an_oversized_or_forged_cursor_is_422_never_500(
    app: Flask, client: FlaskClient, session: Session, cursor: str
) -> None:
    create_user(app, session, username="pc.cursor")
    token = login(client, "pc.cursor")["access_token"]
    for path in ("/api/v1/cases", "/api/v1/duties"):
        response = client.get(path, query_string={"cursor": cursor}, headers=bearer(token))
        assert response.status_code == 422, response.get_json()
        assert "cursor" in response.get_json()["errors"]


def test_a_nul_in_an_api_key_is_422_before_the_key_is_looked_up(client: FlaskClient) -> None:
    response = client.get("/api/v1/cases", headers={"X-API-Key": "fa_abc\x00def"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"X-Api-Key": [UNSTORABLE_TEXT_MESSAGE]}
