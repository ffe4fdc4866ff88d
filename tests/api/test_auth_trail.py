"""The audit trail of signing in and out: successes, failures (with why), refresh, reuse, logout."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import jwt as pyjwt
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.models import AuditRecord, User
from tests.conftest import make_app
from tests.factories import PASSWORD, audit_rows, bearer, create_user, login

LOGIN = "/api/v1/auth/login"
TRACE = {"X-Request-Id": "req-trail-0001"}


def _sid(tokens: dict[str, Any]) -> str:
    claims = pyjwt.decode(tokens["access_token"], options={"verify_signature": False})
    return str(claims["sid"])


def _secrets_absent(records: list[AuditRecord], *secrets: str) -> None:
    for record in records:
        text = repr(vars(record))
        for secret in secrets:
            assert secret not in text


def test_sign_in_is_audited_with_the_device_session_address_and_request_id(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = create_user(app, session, username="pc.signs")
    body = {"username": "pc.signs", "password": PASSWORD, "device_name": "Work phone"}
    response = client.post(LOGIN, json=body, headers=TRACE)
    assert response.status_code == 200
    sid = _sid(response.get_json())
    [record] = audit_rows(session, operation="authentication")
    assert (record.actor_id, record.actor_name, str(record.session_id)) == (
        user.id,
        "pc.signs",
        sid,
    )
    assert (record.resource_type, record.resource_id) == ("device_session", sid)
    assert (record.outcome, record.reason) == ("allowed", "signed_in")
    assert (record.client_address, record.request_id) == ("127.0.0.1", "req-trail-0001")
    _secrets_absent([record], PASSWORD)


def test_failed_sign_ins_are_audited_with_their_reason_but_answer_alike(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    active = create_user(app, session, username="pc.right")
    disabled = create_user(app, session, username="pc.off")
    disabled.disabled = True
    session.commit()
    attempts = [
        {"username": "Nobody.Here", "password": "guessed password one"},
        {"username": "pc.right", "password": "wrong password entirely"},
        {"username": "pc.off", "password": PASSWORD},
    ]
    answers = [client.post(LOGIN, json={**a, "device_name": "x"}, headers=TRACE) for a in attempts]
    assert [a.status_code for a in answers] == [401, 401, 401]
    bodies = [{k: v for k, v in a.get_json().items() if k != "trace_id"} for a in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    failed = audit_rows(session, operation="authentication")
    assert [(r.actor_name, r.resource_id, r.outcome, r.reason) for r in failed] == [
        ("nobody.here", "unknown", "failed", "unknown_user"),
        ("pc.right", str(active.id), "failed", "bad_password"),
        ("pc.off", str(disabled.id), "failed", "disabled"),
    ]
    assert {(r.actor_id, r.client_address, r.request_id) for r in failed} == {
        (None, "127.0.0.1", "req-trail-0001")
    }
    _secrets_absent(failed, "guessed password one", "wrong password entirely", PASSWORD)


def test_refresh_reuse_and_logout_are_audited(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = create_user(app, session, username="pc.cycle")
    first = login(client, "pc.cycle")
    sid = _sid(first)
    second = client.post("/api/v1/auth/refresh", headers=bearer(first["refresh_token"])).json
    assert client.post("/api/v1/auth/logout", headers=bearer(second["access_token"])).status_code
    login(client, "pc.cycle")
    third = login(client, "pc.cycle")
    fourth = client.post("/api/v1/auth/refresh", headers=bearer(third["refresh_token"])).json
    assert fourth is not None
    reused = client.post("/api/v1/auth/refresh", headers=bearer(third["refresh_token"]))
    assert reused.status_code == 401
    trail = audit_rows(session, operation="authentication", actor_id=user.id)
    assert [(r.reason, r.outcome) for r in trail] == [
        ("signed_in", "allowed"),
        ("refreshed", "allowed"),
        ("signed_out", "allowed"),
        ("signed_in", "allowed"),
        ("signed_in", "allowed"),
        ("refreshed", "allowed"),
        ("refresh_token_reused", "denied"),
    ]
    assert {r.resource_id for r in trail[:3]} == {sid}
    # The reuse is recorded once, against the session it ended, not again as a route refusal.
    assert audit_rows(session, resource_type="route") == []


def test_a_rate_limited_sign_in_is_audited_once_a_minute(
    database_url: str, tmp_path: Path, session: Session
) -> None:
    limited = make_app(database_url, tmp_path / "i", LOGIN_LIMIT_PER_CLIENT="2/minute")
    client = limited.test_client()
    user = create_user(limited, session, username="pc.flooded")
    attempt = {"username": "pc.flooded", "password": "not the password", "device_name": "x"}
    codes = [client.post(LOGIN, json=attempt, headers=TRACE).status_code for _ in range(6)]
    assert codes == [401, 401, 429, 429, 429, 429]
    limited_records = audit_rows(session, reason="rate_limited")
    assert [(r.actor_name, r.resource_id, r.outcome) for r in limited_records] == [
        ("pc.flooded", str(user.id), "failed")
    ]
    assert limited_records[0].request_id == "req-trail-0001"
    assert len(audit_rows(session, reason="bad_password")) == 2


def test_revoking_my_lost_phone_is_audited_and_a_stranger_session_is_a_denied_record(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.lost")
    other = create_user(app, session, username="pc.other.phone")
    lost = login(client, "pc.lost", device="Lost phone")
    current = login(client, "pc.lost", device="New phone")
    strangers = login(client, other.username)
    path = "/api/v1/me/sessions/"
    assert client.delete(path + _sid(lost), headers=bearer(current["access_token"])).status_code
    refused = client.delete(path + _sid(strangers), headers=bearer(current["access_token"]))
    assert refused.status_code == 404
    mine = audit_rows(session, resource_type="device_session", reason="signed_out_by_user")
    assert [(r.resource_id, r.outcome, str(r.session_id)) for r in mine] == [
        (_sid(lost), "allowed", _sid(current))
    ]
    [denied] = audit_rows(session, resource_type="device_session", outcome="denied")
    assert (denied.resource_id, denied.actor_name) == (_sid(strangers), "pc.lost")
    assert session.scalar(select(User.disabled).where(User.id == other.id)) is False


def test_a_revoked_token_refusal_names_the_token_subject(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = create_user(app, session, username="pc.gone")
    tokens = login(client, "pc.gone")
    client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"]))
    refused = client.get("/api/v1/me", headers={**bearer(tokens["access_token"]), **TRACE})
    assert refused.status_code == 401
    [record] = audit_rows(session, resource_type="route")
    assert (record.actor_name, record.reason, record.outcome) == (
        str(user.id),
        "token_revoked",
        "denied",
    )
    assert (record.resource_id, record.request_id) == ("GET /api/v1/me", "req-trail-0001")
    assert tokens["access_token"] not in repr(vars(record))
    assert uuid.UUID(record.actor_name) == user.id
