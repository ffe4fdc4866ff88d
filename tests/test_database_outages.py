"""A database down, busy or past a timeout: 503 with Retry-After, one log line, never a 500."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask_jwt_extended import create_access_token
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from fieldapp.database import get_database, normalise_url
from fieldapp.deadlines import DeadlineConnection
from fieldapp.models import Case, User
from tests.conftest import BACKEND, make_app
from tests.factories import bearer, create_team, create_user, login, sign_in
from tests.factories.cases import open_case_body

postgres_only = pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL timeouts")


def _unreachable_url(tmp_path: Path) -> str:
    """A database that cannot be reached: a closed port, or a folder that does not exist."""
    if BACKEND == "postgres":
        return "postgresql://postgres@127.0.0.1:1/nowhere"
    return f"sqlite:///{tmp_path / 'missing' / 'fieldapp.db'}"


def test_a_database_that_does_not_answer_is_a_503_with_retry_after_and_one_log_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    app = make_app(_unreachable_url(tmp_path), tmp_path / "instance")
    client = app.test_client()
    capfd.readouterr()
    response = client.post(
        "/api/v1/auth/login",
        json={"username": "pc.anyone", "password": "x" * 12, "device_name": "Phone"},
    )
    logged = capfd.readouterr().err
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0  # the sign-in's limiter may say later
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "service_unavailable"
    # One line to count, not a traceback.
    [line] = [line for line in logged.splitlines() if "database unavailable" in line]
    assert json.loads(line)["level"] == "WARNING"
    assert "Traceback" not in logged
    with app.app_context():
        token = create_access_token(
            identity=str(uuid.uuid4()), additional_claims={"sid": str(uuid.uuid4())}
        )
    signed_in = client.get("/api/v1/me", headers=bearer(token))
    assert signed_in.status_code == 503
    assert signed_in.headers["Retry-After"] == "2"
    ready = client.get("/ready")
    assert ready.status_code == 503
    assert ready.headers["Retry-After"] == "2"


def test_a_console_page_says_so_in_a_503_page(tmp_path: Path) -> None:
    app = make_app(_unreachable_url(tmp_path), tmp_path / "instance")
    page = app.test_client().get("/console/sign-in")
    assert page.status_code == 200  # the sign-in page itself needs no database
    client = app.test_client()
    client.set_cookie("fieldapp-console", "x")
    assert client.get("/console/").status_code in (303, 503)


def test_a_bad_statement_is_still_a_500_not_an_outage() -> None:
    from sqlalchemy.exc import ProgrammingError

    from fieldapp.web.problems import database_outage

    error = ProgrammingError("SELECT nonsense", {}, Exception("syntax error"))
    assert database_outage(error) is None


@postgres_only
def test_a_row_locked_elsewhere_answers_503_within_the_lock_timeout_and_changes_nothing(
    database_url: str, tmp_path: Path, session: Session, app: Flask
) -> None:
    locked_app = make_app(database_url, tmp_path / "locked", DB_LOCK_TIMEOUT_MS=200)
    create_user(locked_app, session, username="admin.locks", role="admin")
    target = create_user(locked_app, session, username="pc.locked", rank="Constable")
    client = locked_app.test_client()
    token = login(client, "admin.locks")["access_token"]
    url = f"/api/v1/users/{target.id}"
    etag = client.get(url, headers=bearer(token)).headers["ETag"]
    holder = create_engine(normalise_url(database_url))
    with holder.connect() as connection, connection.begin():
        connection.execute(
            text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": target.id}
        )
        response = client.patch(
            url, json={"rank": "Sergeant"}, headers={**bearer(token), "If-Match": etag}
        )
    holder.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    session.expire_all()
    assert session.get(User, target.id).rank == "Constable"  # type: ignore[union-attr]
    again = client.patch(
        url, json={"rank": "Sergeant"}, headers={**bearer(token), "If-Match": etag}
    )
    assert again.status_code == 200


@postgres_only
def test_every_connection_carries_the_statement_and_lock_timeouts(
    database_url: str, tmp_path: Path
) -> None:
    app = make_app(
        database_url, tmp_path / "timeouts", DB_STATEMENT_TIMEOUT_MS=1234, DB_LOCK_TIMEOUT_MS=567
    )
    database = get_database(app)
    for engine in (database.engine, database.autocommit):
        with engine.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "1234ms"
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "567ms"
            # Pinged at checkout, every wait bounded (tests/test_deadlines.py).
            assert isinstance(connection.connection.dbapi_connection, DeadlineConnection)


def test_the_timeouts_are_configurable() -> None:
    from fieldapp.config import database_settings

    assert database_settings({}) == {
        "DB_STATEMENT_TIMEOUT_MS": 5000,
        "DB_LOCK_TIMEOUT_MS": 2000,
        "DB_CONNECT_TIMEOUT_SECONDS": 2,
        "DB_POOL_TIMEOUT_SECONDS": 2,
        "DB_PING_TIMEOUT_MS": 1000,
        "DB_READY_TIMEOUT_MS": 800,
    }
    assert database_settings({"FIELDAPP_DB_LOCK_TIMEOUT_MS": "750"})["DB_LOCK_TIMEOUT_MS"] == 750


@postgres_only
def test_a_case_locked_from_psql_answers_503_to_its_writers_while_other_requests_carry_on(
    database_url: str, tmp_path: Path, session: Session, app: Flask
) -> None:
    """A row lock held for 40 s from psql used to stall the whole API into gunicorn's 500s."""
    locked_app = make_app(database_url, tmp_path / "case-lock", DB_LOCK_TIMEOUT_MS=200)
    client = locked_app.test_client()
    token = sign_in(locked_app, client, session, "pc.caselock", team=create_team(session))
    locked, other = (open_case_body(client, token, f"42/{n}/26")["id"] for n in (7001, 7002))
    etags = {
        case_id: client.get(f"/api/v1/cases/{case_id}", headers=bearer(token)).headers["ETag"]
        for case_id in (locked, other)
    }

    def change(case_id: str) -> TestResponse:
        return client.patch(
            f"/api/v1/cases/{case_id}",
            json={"offence": "Aggravated burglary"},
            headers={**bearer(token), "If-Match": etags[case_id]},
        )

    holder = create_engine(normalise_url(database_url))
    with holder.connect() as psql, psql.begin():
        psql.execute(text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": locked})
        blocked = change(locked)
        read_locked = client.get(f"/api/v1/cases/{locked}", headers=bearer(token))
        changed_other = change(other)
    holder.dispose()

    assert blocked.status_code == 503
    assert blocked.mimetype == "application/problem+json"
    assert blocked.headers["Retry-After"] == "2"
    assert read_locked.status_code == 200  # reading does not wait for the writer's lock
    assert changed_other.status_code == 200
    session.expire_all()
    offences = {str(case.id): case.offence for case in session.scalars(select(Case))}
    assert offences == {locked: "Burglary of a home", other: "Aggravated burglary"}
    assert change(locked).status_code == 200  # the lock gone, the same write goes through
