"""Sign-in, refresh rotation, logout and the refusal of every kind of bad token."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt as pyjwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.models import DeviceSession, User
from tests.conftest import TEST_SECRETS
from tests.factories import PASSWORD, bearer, create_user, login

LOGIN = "/api/v1/auth/login"


def _without_trace(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "trace_id"}


def _claims(token: str) -> dict[str, Any]:
    return pyjwt.decode(token, options={"verify_signature": False})


def _forge(claims: dict[str, Any], *, key: str = TEST_SECRETS["JWT_SECRET_KEY"]) -> str:
    return pyjwt.encode(claims, key, algorithm="HS256")


def test_login_returns_a_bearer_pair_and_opens_a_device_session(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = create_user(app, session, username="pc.login")
    response = client.post(
        LOGIN, json={"username": "pc.login", "password": PASSWORD, "device_name": "Work phone"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    access, refresh = _claims(body["access_token"]), _claims(body["refresh_token"])
    assert access["type"] == "access" and refresh["type"] == "refresh"
    assert access["sub"] == str(user.id) == refresh["sub"]
    assert access["sid"] == refresh["sid"]
    assert access["aud"] == "fieldapp-api" and access["iss"] == "fieldapp"
    assert {"exp", "iat", "jti"} <= access.keys()
    device = session.get(DeviceSession, uuid.UUID(access["sid"]))
    assert device is not None
    assert device.device_name == "Work phone"
    assert device.refresh_jti == refresh["jti"]


def test_username_is_matched_case_and_space_insensitively(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.case")
    response = client.post(
        LOGIN, json={"username": "  PC.Case ", "password": PASSWORD, "device_name": "x"}
    )
    assert response.status_code == 200


def test_unknown_user_wrong_password_and_disabled_account_look_the_same(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.active")
    create_user(app, session, username="pc.disabled", disabled=False)
    disabled = session.scalar(select(User).where(User.username == "pc.disabled"))
    assert disabled is not None
    disabled.disabled = True
    session.commit()
    attempts = [
        {"username": "nobody", "password": PASSWORD},
        {"username": "pc.active", "password": "wrong password entirely"},
        {"username": "pc.disabled", "password": PASSWORD},
    ]
    answers = [client.post(LOGIN, json={**a, "device_name": "x"}) for a in attempts]
    assert [a.status_code for a in answers] == [401, 401, 401]
    bodies = [_without_trace(a.get_json()) for a in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["code"] == "invalid_credentials"
    assert {a.headers["Content-Type"] for a in answers} == {"application/problem+json"}


def test_login_rehashes_a_password_made_with_weaker_parameters(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    from argon2 import PasswordHasher

    user = create_user(app, session, username="pc.rehash")
    weak_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16).hash(
        PASSWORD
    )
    passwords = app.extensions["fieldapp.passwords"]
    assert passwords.needs_rehash(weak_hash) is True
    user.password_hash = weak_hash
    session.commit()
    login(client, "pc.rehash")
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored is not None
    assert stored.password_hash != weak_hash
    assert stored.password_hash.startswith("$argon2id$")
    assert passwords.needs_rehash(stored.password_hash) is False
    login(client, "pc.rehash")  # the new hash still verifies


def test_refresh_rotates_and_the_new_pair_works(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.refresh")
    first = login(client, "pc.refresh")
    response = client.post("/api/v1/auth/refresh", headers=bearer(first["refresh_token"]))
    assert response.status_code == 200
    second = response.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert _claims(second["access_token"])["sid"] == _claims(first["access_token"])["sid"]
    assert client.get("/api/v1/me", headers=bearer(second["access_token"])).status_code == 200
    third = client.post("/api/v1/auth/refresh", headers=bearer(second["refresh_token"]))
    assert third.status_code == 200


def test_reused_refresh_token_ends_the_device_session(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.reuse")
    first = login(client, "pc.reuse")
    second = client.post("/api/v1/auth/refresh", headers=bearer(first["refresh_token"])).json
    reused = client.post("/api/v1/auth/refresh", headers=bearer(first["refresh_token"]))
    assert reused.status_code == 401
    assert reused.get_json()["code"] == "refresh_token_reused"
    # The thief's replay ended the session: the legitimate newer tokens die too.
    assert client.get("/api/v1/me", headers=bearer(second["access_token"])).status_code == 401
    again = client.post("/api/v1/auth/refresh", headers=bearer(second["refresh_token"]))
    assert again.status_code == 401
    device = session.get(DeviceSession, uuid.UUID(_claims(first["access_token"])["sid"]))
    assert device is not None
    assert device.revoked_reason == "refresh_token_reused"


def test_logout_ends_the_session_and_the_tokens_are_refused(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.logout")
    tokens = login(client, "pc.logout")
    response = client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"]))
    assert response.status_code == 204
    assert response.data == b""
    after = client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert after.status_code == 401
    assert after.get_json()["code"] == "token_revoked"
    refresh = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert refresh.status_code == 401


def test_access_token_cannot_refresh_and_refresh_token_cannot_call_the_api(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.types")
    tokens = login(client, "pc.types")
    wrong_refresh = client.post("/api/v1/auth/refresh", headers=bearer(tokens["access_token"]))
    wrong_access = client.get("/api/v1/me", headers=bearer(tokens["refresh_token"]))
    for response in (wrong_refresh, wrong_access):
        assert response.status_code == 401
        assert response.get_json()["code"] == "invalid_token"
        assert response.headers["Content-Type"] == "application/problem+json"


@pytest.fixture
def valid_claims(app: Flask, client: FlaskClient, session: Session) -> dict[str, Any]:
    """The claims of a real access token, to tamper with."""
    create_user(app, session, username="pc.claims")
    return _claims(login(client, "pc.claims")["access_token"])


@pytest.mark.parametrize("missing", ["exp", "jti", "type", "sid", "sub", "aud", "iss"])
def test_token_missing_a_required_claim_is_refused(
    client: FlaskClient, valid_claims: dict[str, Any], missing: str
) -> None:
    claims = {key: value for key, value in valid_claims.items() if key != missing}
    response = client.get("/api/v1/me", headers=bearer(_forge(claims)))
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_token"


def test_the_untampered_forged_token_is_accepted(
    client: FlaskClient, valid_claims: dict[str, Any]
) -> None:
    """Control for the tests above: the forging itself is not what gets refused."""
    assert client.get("/api/v1/me", headers=bearer(_forge(valid_claims))).status_code == 200


def test_alg_none_token_is_refused(client: FlaskClient, valid_claims: dict[str, Any]) -> None:
    def b64(part: dict[str, Any]) -> str:
        raw = json.dumps(part).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(valid_claims)}."
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_token"


def test_token_signed_with_another_key_is_refused(
    client: FlaskClient, valid_claims: dict[str, Any]
) -> None:
    token = _forge(valid_claims, key="an-attacker-key-that-is-long-enough-1234567")
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_token"


def test_expired_token_is_refused_with_token_expired(
    client: FlaskClient, valid_claims: dict[str, Any]
) -> None:
    past = datetime.now(UTC) - timedelta(minutes=5)
    claims = {**valid_claims, "iat": int(past.timestamp()) - 900, "exp": int(past.timestamp())}
    claims["nbf"] = claims["iat"]
    response = client.get("/api/v1/me", headers=bearer(_forge(claims)))
    assert response.status_code == 401
    body = response.get_json()
    assert body["code"] == "token_expired"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "Bearer " + "x" * 5000],
)
def test_garbage_authorization_headers_get_a_401_problem(client: FlaskClient, header: str) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    body = response.get_json()
    assert body["status"] == 401
    assert {"type", "title", "detail", "code", "trace_id"} <= body.keys()


def test_missing_token_is_a_401_problem(client: FlaskClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"
    assert response.headers["Content-Type"] == "application/problem+json"


def test_token_in_the_query_string_is_ignored(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.query")
    token = login(client, "pc.query")["access_token"]
    response = client.get(f"/api/v1/me?jwt={token}&access_token={token}")
    assert response.status_code == 401


def test_token_for_a_session_of_another_user_is_refused(
    client: FlaskClient, valid_claims: dict[str, Any]
) -> None:
    claims = {**valid_claims, "sub": str(uuid.uuid4())}
    response = client.get("/api/v1/me", headers=bearer(_forge(claims)))
    assert response.status_code == 401
    assert response.get_json()["code"] == "token_revoked"


def test_login_is_rate_limited_per_username_with_retry_after(
    database_url: str, tmp_path: Any, session: Session
) -> None:
    from tests.conftest import make_app

    limited = make_app(database_url, tmp_path / "i", LOGIN_LIMIT_PER_USERNAME="2/minute")
    client = limited.test_client()
    create_user(limited, session, username="pc.limited")
    bad = {"username": "PC.Limited", "password": "not the password!", "device_name": "x"}
    assert [client.post(LOGIN, json=bad).status_code for _ in range(2)] == [401, 401]
    blocked = client.post(LOGIN, json={**bad, "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.get_json()["code"] == "rate_limited"
    assert int(blocked.headers["Retry-After"]) >= 1
    assert blocked.headers["Content-Type"] == "application/problem+json"
    # Another username from the same client is not blocked by this limit.
    create_user(limited, session, username="pc.other")
    other = {"username": "pc.other", "password": PASSWORD, "device_name": "x"}
    assert client.post(LOGIN, json=other).status_code == 200


def test_retry_after_only_on_the_refusal_not_on_a_successful_sign_in(
    database_url: str, tmp_path: Any, session: Session
) -> None:
    from tests.conftest import make_app

    limited = make_app(database_url, tmp_path / "i", LOGIN_LIMIT_PER_CLIENT="2/minute")
    client = limited.test_client()
    create_user(limited, session, username="pc.retry")
    good = {"username": "pc.retry", "password": PASSWORD, "device_name": "x"}
    signed_in = client.post(LOGIN, json=good)
    assert signed_in.status_code == 200
    assert "Retry-After" not in signed_in.headers
    assert signed_in.headers["X-RateLimit-Limit"] == "2"  # the limiter's own headers stay
    refused = client.post(LOGIN, json={**good, "password": "not the password!"})
    assert refused.status_code == 401
    assert "Retry-After" not in refused.headers
    blocked = client.post(LOGIN, json=good)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1


def test_successful_logins_do_not_count_against_the_username_limit(
    database_url: str, tmp_path: Any, session: Session
) -> None:
    from tests.conftest import make_app

    limited = make_app(database_url, tmp_path / "i", LOGIN_LIMIT_PER_USERNAME="2/minute")
    client = limited.test_client()
    create_user(limited, session, username="pc.often")
    good = {"username": "pc.often", "password": PASSWORD, "device_name": "x"}
    assert [client.post(LOGIN, json=good).status_code for _ in range(4)] == [200] * 4


def test_login_is_rate_limited_per_client(
    database_url: str, tmp_path: Any, session: Session
) -> None:
    from tests.conftest import make_app

    limited = make_app(database_url, tmp_path / "i", LOGIN_LIMIT_PER_CLIENT="3/minute")
    client = limited.test_client()
    codes = [
        client.post(
            LOGIN, json={"username": f"guess{n}", "password": "x", "device_name": "x"}
        ).status_code
        for n in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_sign_in_takes_about_as_long_for_unknown_users(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """Unknown users are verified against a dummy hash: same work, no timing oracle."""
    create_user(app, session, username="pc.timing")
    calls: list[str | None] = []
    passwords = app.extensions["fieldapp.passwords"]
    original = passwords.verify

    def spy(stored: str | None, password: str) -> bool:
        calls.append(stored)
        return bool(original(stored, password))

    passwords.verify = spy
    try:
        client.post(LOGIN, json={"username": "ghost", "password": "x" * 12, "device_name": "x"})
        client.post(LOGIN, json={"username": "pc.timing", "password": "x" * 12, "device_name": "x"})
    finally:
        passwords.verify = original
    assert len(calls) == 2
    assert calls[0] is None and calls[1] is not None
