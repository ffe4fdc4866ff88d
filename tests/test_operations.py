"""Health, readiness, request ids, JSON logs and response headers."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_app


def test_health_answers_without_a_database(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_checks_the_database(client: FlaskClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready"}


def test_ready_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    broken = make_app("sqlite:////nonexistent-dir/nowhere/fieldapp.db", tmp_path / "i")
    response = broken.test_client().get("/ready")
    assert response.status_code == 503
    assert response.get_json()["code"] == "service_unavailable"
    assert "nonexistent" not in response.get_data(as_text=True)


def test_request_id_is_echoed_or_generated(client: FlaskClient) -> None:
    echoed = client.get("/health", headers={"X-Request-ID": "phone-42.abc"})
    assert echoed.headers["X-Request-ID"] == "phone-42.abc"
    generated = client.get("/health")
    assert len(generated.headers["X-Request-ID"]) == 32
    unsafe = client.get("/health", headers={"X-Request-ID": "bad id\u00e9<script>"})
    assert unsafe.headers["X-Request-ID"] != "bad id\u00e9<script>"


def test_api_responses_are_not_cached(client: FlaskClient) -> None:
    for path in ("/health", "/api/v1/me", "/api/v1/missing"):
        assert client.get(path).headers["Cache-Control"] == "no-store"


def test_requests_are_logged_as_json_with_the_request_id(app: Flask, client: FlaskClient) -> None:
    stream = io.StringIO()
    handler = logging.getLogger("fieldapp").handlers[0]
    original = handler.stream  # type: ignore[attr-defined]
    handler.setStream(stream)  # type: ignore[attr-defined]
    logging.getLogger("fieldapp").setLevel(logging.INFO)
    try:
        client.get("/health", headers={"X-Request-ID": "trace-me-123"})
    finally:
        handler.setStream(original)  # type: ignore[attr-defined]
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    request_entry = next(e for e in entries if e.get("request_id") == "trace-me-123")
    assert request_entry["path"] == "/health"
    assert request_entry["status"] == 200
    assert request_entry["level"] == "INFO"
