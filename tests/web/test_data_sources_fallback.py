"""A replica that is down, fails mid-request or lags: the reports read the primary, never a 5xx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, create_engine, make_url, text

from fieldapp.database import get_database, normalise_url
from fieldapp.replica import Replica
from fieldapp.web.data_sources import DATA_SOURCE_HEADER
from tests.conftest import BACKEND, make_app
from tests.factories import audit_rows, bearer, login
from tests.test_replica import Clock

COMPLIANCE = "/api/v1/metrics/compliance"
pytestmark = pytest.mark.usefixtures("two_databases")


def _replica_of(app: Flask) -> Replica:
    """The app's replica (the test configured one)."""
    replica = get_database(app).replica
    assert replica is not None
    return replica


def _labels(client: FlaskClient, token: str) -> tuple[str, list[str]]:
    """Which database answered the compliance figures, and the teams they list."""
    response = client.get(COMPLIANCE, headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.headers[DATA_SOURCE_HEADER], [
        row["label"] for row in response.get_json()["value"]
    ]


def _replica_lines(logged: str) -> list[dict[str, Any]]:
    """The replica's JSON log lines."""
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == "fieldapp.replica"]


@contextmanager
def unreachable(database_url: str, standby_url: str) -> Iterator[None]:
    """No new connection to the stand-in succeeds until the block ends."""
    if BACKEND == "postgres":
        name = make_url(standby_url).database
        server = create_engine(normalise_url(database_url), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        try:
            yield
        finally:
            with server.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            server.dispose()
        return
    folder = Path(str(make_url(standby_url).database)).parent
    away = folder.with_name(folder.name + "-away")
    folder.rename(away)
    try:
        yield
    finally:
        away.rename(folder)


def test_a_replica_that_does_not_answer_leaves_the_reports_on_the_primary_with_one_line(
    database_url: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    nowhere = (
        "postgresql://postgres@127.0.0.1:1/nowhere"
        if BACKEND == "postgres"
        else f"sqlite:///{tmp_path / 'missing' / 'replica.db'}"
    )
    app = make_app(database_url, tmp_path / "instance", REPLICA_DATABASE_URL=nowhere)
    client = app.test_client()
    token = login(client, "admin")["access_token"]
    capfd.readouterr()
    for _ in range(3):
        assert _labels(client, token) == ("primary", ["North"])
    audit = client.get("/api/v1/audit?resource_type=compliance_report", headers=bearer(token))
    assert audit.status_code == 200 and audit.headers[DATA_SOURCE_HEADER] == "primary"
    assert len(audit.get_json()["value"]) == 3
    logged = capfd.readouterr().err
    [line] = _replica_lines(logged)
    assert (line["level"], line["message"]) == (
        "WARNING",
        "replica not used, reading from the primary",
    )
    assert line["reason"] == "unreachable"
    assert "Traceback" not in logged


def test_a_replica_that_fails_during_a_request_is_left_for_the_primary(
    database_url: str,
    standby_url: str,
    tmp_path: Path,
    session: Any,
    capfd: pytest.CaptureFixture[str],
) -> None:
    app = make_app(database_url, tmp_path / "instance", REPLICA_DATABASE_URL=standby_url)
    replica, clock = _replica_of(app), Clock()
    replica.clock = clock
    client = app.test_client()
    token = login(client, "admin")["access_token"]
    assert _labels(client, token) == ("replica", ["Standby Team"])
    capfd.readouterr()
    with unreachable(database_url, standby_url):
        replica.dispose()  # no pooled connection survives: the next read must connect
        # Within the check interval the replica is still believed current: the read fails
        # under the view, which runs again on the primary.
        assert _labels(client, token) == ("primary", ["North"])
        assert _labels(client, token) == ("primary", ["North"])  # no longer tried
    clock.now += replica.check_every
    assert _labels(client, token) == ("replica", ["Standby Team"])
    [line] = _replica_lines(capfd.readouterr().err)
    assert (line["reason"], line["level"]) == ("unreachable", "WARNING")
    # One record per request: the attempt that failed on the replica had recorded nothing.
    assert len(audit_rows(session, resource_type="compliance_report")) == 4


def test_a_lagging_replica_is_left_until_it_catches_up(
    database_url: str, standby_url: str, tmp_path: Path
) -> None:
    app = make_app(
        database_url,
        tmp_path / "instance",
        REPLICA_DATABASE_URL=standby_url,
        REPLICA_MAX_LAG_SECONDS=10,
    )
    replica, clock, lag = _replica_of(app), Clock(), {"seconds": 10.5}
    replica.clock = clock

    def measure(connection: Connection) -> float:
        return lag["seconds"]

    replica.measure = measure
    client = app.test_client()
    token = login(client, "admin")["access_token"]
    assert _labels(client, token) == ("primary", ["North"])
    lag["seconds"] = 10.0
    assert _labels(client, token) == ("primary", ["North"])  # the answer is kept a while
    clock.now += replica.check_every
    assert _labels(client, token) == ("replica", ["Standby Team"])
