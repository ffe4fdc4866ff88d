"""A PostgreSQL that goes silent (stopped, not down): 503 with Retry-After, never a hang.

The database sits behind a proxy that the tests freeze, as SIGSTOP freezes a server: the
sockets stay open and nothing answers. No assertion is about time: the deadlines are small so
that the tests finish quickly, and what is checked is the answer and the pool afterwards.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from fieldapp.database import Timeouts, get_database, make_engine, normalise_url
from fieldapp.deadlines import DatabaseSilent, Peers
from fieldapp.web.problems import database_outage
from tests.conftest import BACKEND, make_app
from tests.factories import bearer, create_user, login
from tests.freezable_proxy import FreezableProxy, running_proxy

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL's own connections")

#: A hang guard only: waits end on an event long before this.
HANG_GUARD_SECONDS = 60
SMALL_DEADLINES = {
    "DB_PING_TIMEOUT_MS": 200,
    "DB_READY_TIMEOUT_MS": 200,
    "DB_STATEMENT_TIMEOUT_MS": 300,
}


@pytest.fixture
def proxy(database_url: str) -> Iterator[FreezableProxy]:
    """A freezable proxy in front of the test database."""
    url = make_url(normalise_url(database_url))
    with running_proxy((url.host or "127.0.0.1", url.port or 5432)) as running:
        yield running


def _proxied_url(database_url: str, proxy: FreezableProxy) -> str:
    """The test database's URL, through the proxy."""
    url = make_url(normalise_url(database_url)).set(host="127.0.0.1", port=proxy.port)
    return url.render_as_string(hide_password=False)


def _proxied_app(database_url: str, proxy: FreezableProxy, instance: Path) -> Flask:
    """An app that reaches the test database only through the proxy."""
    return make_app(_proxied_url(database_url, proxy), instance, **SMALL_DEADLINES)


def test_a_frozen_database_answers_503_with_retry_after_and_the_next_request_after_thawing_works(
    database_url: str,
    proxy: FreezableProxy,
    app: Flask,
    session: Session,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    frozen_app = _proxied_app(database_url, proxy, tmp_path / "frozen")
    create_user(app, session, username="pc.frozen")
    client = frozen_app.test_client()
    token = login(client, "pc.frozen")["access_token"]
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    capfd.readouterr()

    proxy.freeze()
    me = client.get("/api/v1/me", headers=bearer(token))
    ready = client.get("/ready")
    logged = capfd.readouterr().err
    proxy.thaw()

    assert me.status_code == 503
    assert me.mimetype == "application/problem+json"
    assert me.get_json()["code"] == "service_unavailable"
    assert me.headers["Retry-After"] == "2"
    assert ready.status_code == 503
    assert ready.headers["Retry-After"] == "2"
    [line] = [line for line in logged.splitlines() if "database unavailable" in line]
    assert json.loads(line)["kind"] == "DatabaseSilent"
    assert "Traceback" not in logged
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert client.get("/ready").status_code == 200


def test_a_statement_that_gets_no_answer_ends_at_its_deadline_and_its_connection_is_discarded(
    database_url: str, proxy: FreezableProxy, tmp_path: Path
) -> None:
    engine = get_database(_proxied_app(database_url, proxy, tmp_path / "statement")).engine
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        silent = connection.connection.dbapi_connection
        proxy.freeze()
        with pytest.raises(DBAPIError) as raised:
            connection.execute(text("SELECT 1"))
    proxy.thaw()

    assert isinstance(raised.value.orig, DatabaseSilent)
    assert raised.value.connection_invalidated
    assert database_outage(raised.value) is not None
    assert silent is not None and silent.closed  # type: ignore[attr-defined]
    with engine.connect() as connection:  # a new connection, not the silent one
        assert connection.connection.dbapi_connection is not silent
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_a_pooled_connection_whose_ping_gets_no_answer_fails_the_checkout_and_is_discarded(
    database_url: str, proxy: FreezableProxy, tmp_path: Path
) -> None:
    engine = get_database(_proxied_app(database_url, proxy, tmp_path / "ping")).engine
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        pooled = connection.connection.dbapi_connection

    proxy.freeze()
    with pytest.raises(DBAPIError) as raised:
        engine.connect()
    proxy.thaw()

    assert isinstance(raised.value.orig, DatabaseSilent)  # at once, without connecting again
    assert pooled is not None and pooled.closed  # type: ignore[attr-defined]
    with engine.connect() as connection:
        assert connection.connection.dbapi_connection is not pooled
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_a_pooled_connection_the_server_closed_is_replaced_without_an_error(
    database_url: str, proxy: FreezableProxy, tmp_path: Path
) -> None:
    """A restarted server leaves closed connections in the pool: the ping connects again."""
    engine = get_database(_proxied_app(database_url, proxy, tmp_path / "restart")).engine
    with engine.connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    terminator = create_engine(normalise_url(database_url))
    with terminator.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    terminator.dispose()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != backend


def test_a_silent_ping_also_ends_the_statements_already_waiting_on_the_server(
    database_url: str, proxy: FreezableProxy
) -> None:
    """Without it, a statement running when the server stopped waits out its own deadline."""
    url, timeouts = _proxied_url(database_url, proxy), Timeouts(statement_ms=600_000, ping_ms=200)
    peers = Peers(evidence_seconds=0.2)
    # Two engines on one server, as the app's two pools: a finding on one ends waits on both.
    engine, other = (make_engine(url, timeouts=timeouts, peers=peers) for _ in range(2))
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    running = other.connect()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            running.execute(text("SELECT 1"))
        except DBAPIError as error:
            errors.append(error)

    proxy.freeze()
    statement = threading.Thread(target=run)
    statement.start()
    assert proxy.holding.wait(timeout=HANG_GUARD_SECONDS)  # the statement awaits its answer
    with pytest.raises(DBAPIError) as ping:
        engine.connect()  # the pooled connection: its ping gets no answer
    statement.join(timeout=HANG_GUARD_SECONDS)
    proxy.thaw()
    running.close()
    engine.dispose()
    other.dispose()

    assert isinstance(ping.value.orig, DatabaseSilent)
    [error] = errors  # ended by the ping's finding, not by its own ten-minute deadline
    assert isinstance(error, DBAPIError) and error.connection_invalidated
    assert database_outage(error) is not None


def test_a_connection_attempt_that_times_out_also_ends_the_statements_already_waiting(
    database_url: str, proxy: FreezableProxy
) -> None:
    """Once the pool is empty, a silent server shows itself by a connect that times out."""
    url, timeouts = _proxied_url(database_url, proxy), Timeouts(statement_ms=600_000, ping_ms=200)
    peers = Peers(evidence_seconds=0.2)
    engine = make_engine(url, timeouts=timeouts, peers=peers)
    running = engine.connect()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            running.execute(text("SELECT 1"))
        except DBAPIError as error:
            errors.append(error)

    proxy.freeze()
    statement = threading.Thread(target=run)
    statement.start()
    assert proxy.holding.wait(timeout=HANG_GUARD_SECONDS)
    with pytest.raises(DBAPIError) as connecting:
        engine.connect()  # nothing pooled: a new connection, whose startup gets no answer
    statement.join(timeout=HANG_GUARD_SECONDS)
    proxy.thaw()
    running.close()
    engine.dispose()

    assert isinstance(connecting.value.orig, psycopg.errors.ConnectionTimeout)
    [error] = errors
    assert isinstance(error, DBAPIError) and error.connection_invalidated
