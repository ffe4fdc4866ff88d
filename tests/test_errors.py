"""Every mistake gets the right status in the one problem-details shape."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from fieldapp.database import get_session
from fieldapp.web.access import allow
from fieldapp.web.logs import JsonFormatter
from tests.factories import bearer, create_user, login

LOGIN = "/api/v1/auth/login"
SHAPE = {"type", "title", "status", "detail", "code", "trace_id"}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Check the status, the media type and the members of a problem response."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body.keys() >= SHAPE
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:fieldapp:problem:{code}"
    assert body["trace_id"] == response.headers["X-Request-ID"]
    return body


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post(LOGIN, data='{"username": ', content_type="application/json")
    assert_problem(response, 400, "malformed_json")


def test_invalid_utf8_is_400(client: FlaskClient) -> None:
    response = client.post(LOGIN, data=b'{"username": "\xff"}', content_type="application/json")
    assert_problem(response, 400, "malformed_json")


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_absurdly_deep_json_is_400_not_500(client: FlaskClient, depth: int) -> None:
    body = "[" * depth + "]" * depth
    response = client.post(LOGIN, data=body, content_type="application/json")
    assert_problem(response, 400, "json_too_deep")


def test_json_within_the_depth_limit_reaches_validation(client: FlaskClient) -> None:
    nested: Any = "x"
    for _ in range(20):
        nested = {"a": nested}
    response = client.post(LOGIN, json={"username": nested, "password": "p", "device_name": "d"})
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"]["username"] == ["Not a valid string."]


def test_wrong_types_and_unknown_fields_are_422_per_field(client: FlaskClient) -> None:
    response = client.post(
        LOGIN, json={"username": 12, "password": ["x"], "device_name": "d", "role": "admin"}
    )
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"] == {
        "username": ["Not a valid string."],
        "password": ["Not a valid string."],
        "role": ["Unknown field."],
    }


def test_a_json_array_body_is_422(client: FlaskClient) -> None:
    response = client.post(LOGIN, json=[1, 2, 3])
    body = assert_problem(response, 422, "validation_failed")
    assert "body" in body["errors"]


def test_missing_body_is_422_naming_required_fields(client: FlaskClient) -> None:
    response = client.post(LOGIN)
    body = assert_problem(response, 422, "validation_failed")
    assert set(body["errors"]) == {"username", "password", "device_name"}


def test_non_json_body_is_415(client: FlaskClient) -> None:
    response = client.post(LOGIN, data="username=a&password=b", content_type="text/plain")
    assert_problem(response, 415, "unsupported_media_type")


def test_body_over_the_size_limit_is_413(client: FlaskClient) -> None:
    huge = '{"username": "' + "a" * (300 * 1024) + '"}'
    response = client.post(LOGIN, data=huge, content_type="application/json")
    assert_problem(response, 413, "payload_too_large")


def test_unknown_route_is_404(client: FlaskClient) -> None:
    assert_problem(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.delete("/api/v1/me")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_unexpected_failure_is_a_generic_500_that_leaks_nothing(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    @allow()
    def explode() -> None:
        raise RuntimeError("password=hunter2 at postgresql://secret-host/db")

    app.add_url_rule("/api/v1/explode", "explode", explode)
    create_user(app, session, username="pc.boom")
    token = login(client, "pc.boom")["access_token"]
    response = client.get("/api/v1/explode", headers=bearer(token))
    body = assert_problem(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    assert "hunter2" not in text and "secret-host" not in text and "Traceback" not in text
    assert body["detail"] == "Something went wrong on our side. The error has been logged."


def test_every_jwt_failure_uses_the_one_shape(client: FlaskClient) -> None:
    for headers in ({}, {"Authorization": "Bearer x.y.z"}, {"Authorization": "Token abc"}):
        response = client.get("/api/v1/me", headers=headers)
        body = assert_problem(response, 401, response.get_json()["code"])
        assert body["code"] in {"unauthorized", "invalid_token"}
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


# What a careless log would carry: a victim's name, phone and email, a hash and a token id.
PERSONAL = {
    "name": "Bernadette Quinnell",
    "phone": "+447700900461",
    "email": "b.quinnell@example.org",
    "hash": "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
    "jti": "5b0f3d2e-refresh-token-id-77aa",
}


@pytest.fixture
def app_log() -> Iterator[io.StringIO]:
    """Everything fieldapp logs during the test, formatted as in production."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("fieldapp")
    logger.addHandler(handler)
    yield buffer
    logger.removeHandler(handler)


def _signed_in(app: Flask, client: FlaskClient, session: Session) -> dict[str, str]:
    """Headers of a signed-in officer, with a request id to find in the log."""
    create_user(app, session, username="pc.logs")
    return {**bearer(login(client, "pc.logs")["access_token"]), "X-Request-ID": "req-logs-1"}


def test_a_failed_statement_logs_its_class_and_request_id_but_no_parameters(
    app: Flask, client: FlaskClient, session: Session, app_log: io.StringIO
) -> None:
    @allow()
    def store() -> None:
        get_session().execute(
            text(
                "INSERT INTO no_such_table (a, b, c, d, e)"
                " VALUES (:name, :phone, :email, :hash, :jti)"
            ),
            PERSONAL,
        )

    app.add_url_rule("/api/v1/store", "store", store, methods=["POST"])
    headers = _signed_in(app, client, session)
    response = client.post("/api/v1/store", headers=headers)
    assert_problem(response, 500, "internal_error")
    logged = app_log.getvalue()
    assert '"request_id": "req-logs-1"' in logged
    assert "sqlalchemy.exc." in logged and "Error" in logged
    assert "no_such_table" not in logged  # not even the statement
    for value in PERSONAL.values():
        assert value not in logged
        assert value not in response.get_data(as_text=True)


def test_a_database_error_whose_message_holds_personal_data_is_logged_without_it(
    app: Flask,
    client: FlaskClient,
    session: Session,
    app_log: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing_service(*_args: Any, **_kwargs: Any) -> None:
        detail = (
            "DETAIL: Key (name, phone, email, hash, jti)=({name}, {phone}, {email}, {hash}, {jti})"
        )
        raise DBAPIError("UPDATE users SET ...", PERSONAL, Exception(detail.format(**PERSONAL)))

    monkeypatch.setattr("fieldapp.services.device_sessions.list_sessions", failing_service)
    headers = _signed_in(app, client, session)
    response = client.get("/api/v1/me/sessions", headers=headers)
    assert_problem(response, 500, "internal_error")
    logged = app_log.getvalue()
    assert '"error": "sqlalchemy.exc.DBAPIError"' in logged
    assert '"request_id": "req-logs-1"' in logged
    for value in PERSONAL.values():
        assert value not in logged
