"""Health, readiness, request ids, JSON logs and response headers."""

from __future__ import annotations

import http.client
import io
import json
import logging
import runpy
import threading
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from gunicorn.workers.gthread import ThreadWorker
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from fieldapp.core.templating import RenderBudget, render
from fieldapp.serving import DrainingWorker
from fieldapp.web.access import allow
from tests.conftest import make_app
from tests.factories import bearer, create_user, login


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


def test_gunicorn_runs_threaded_workers_so_one_busy_request_does_not_block_a_worker() -> None:
    settings = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    # fieldapp's gthread worker, which drains the listen backlog on SIGTERM (tests/test_serving.py)
    assert settings["worker_class"] == "fieldapp.serving.DrainingWorker"
    assert issubclass(DrainingWorker, ThreadWorker)
    assert settings["threads"] >= 2


def test_health_answers_while_a_render_holds_a_worker_thread(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    rendering, release = threading.Event(), threading.Event()

    def held_clock() -> float:
        """The render's budget clock: signal that the render is under way, then hold it."""
        rendering.set()
        assert release.wait(timeout=60)
        return 0.0

    @allow()
    def slow_render() -> str:
        return render(
            "Dear {{ victim.first_name }}",
            {"victim": {"first_name": "Sam"}},
            max_chars=100,
            budget=RenderBudget(clock=held_clock),
        )

    app.add_url_rule("/api/v1/slow-render", "slow_render", slow_render)
    create_user(app, session, username="pc.render")
    token = login(client, "pc.render")["access_token"]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    busy: dict[str, int] = {}

    def get(path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=60)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def call_render() -> None:
        busy["status"] = get("/api/v1/slow-render", bearer(token))[0]

    holder = threading.Thread(target=call_render)
    holder.start()
    try:
        assert rendering.wait(timeout=60)
        status, body = get("/health", {})
        assert status == 200
        assert json.loads(body) == {"status": "ok"}
        assert "status" not in busy  # the render was still held while health answered
    finally:
        release.set()
        holder.join(timeout=60)
        server.shutdown()
        serving.join(timeout=60)
    assert busy == {"status": 200}
