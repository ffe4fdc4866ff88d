"""API keys: admins issue (shown once), list and revoke them; integrations call with X-API-Key."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.models import ApiKey, AuditRecord, Team, User
from fieldapp.models.base import utcnow
from tests.factories import audit_rows, bearer, create_team, create_user, login
from tests.factories.cases import open_case_body


@pytest.fixture
def team(session: Session) -> Team:
    """The officers' team."""
    return create_team(session, name="Northtown")


@pytest.fixture
def admin_token(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """An admin's access token."""
    create_user(app, session, username="admin.keys", role="admin", team=team)
    return str(login(client, "admin.keys")["access_token"])


@pytest.fixture
def officer(app: Flask, session: Session, team: Team) -> User:
    """The officer a key acts for."""
    return create_user(app, session, username="pc.ashworth", team=team)


def _create_key(
    client: FlaskClient, token: str, user: User, scopes: list[str], **extra: Any
) -> dict[str, Any]:
    body = {"name": "Duty app", "user_id": str(user.id), "scopes": scopes, **extra}
    response = client.post("/api/v1/api-keys", json=body, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


def _key(secret: str) -> dict[str, str]:
    return {"X-API-Key": secret}


def test_admin_creates_a_key_that_is_shown_once_and_stored_only_as_a_hash(
    client: FlaskClient, session: Session, admin_token: str, officer: User
) -> None:
    body = _create_key(client, admin_token, officer, ["cases:read", "duties:read"])
    assert body["key"].startswith(body["prefix"] + "_")
    assert body["username"] == "pc.ashworth"
    assert body["scopes"] == ["cases:read", "duties:read"]
    assert body["rate_limit"] == "120/minute"
    assert "hash" not in body and "revoked_at" not in body
    stored = session.scalars(select(ApiKey)).one()
    assert stored.hash == hashlib.sha256(body["key"].encode()).hexdigest()
    assert body["key"] not in repr(vars(stored))
    created = session.scalars(select(AuditRecord).where(AuditRecord.resource_type == "api_key"))
    assert [(r.operation, r.actor_name, r.field_groups) for r in created] == [
        ("administration", "admin.keys", "scopes,user")
    ]


def test_listing_keys_never_shows_the_key_and_pages_with_next_link(
    client: FlaskClient, admin_token: str, officer: User
) -> None:
    first = _create_key(client, admin_token, officer, ["cases:read"])
    second = _create_key(client, admin_token, officer, ["duties:read"], name="Flow")
    response = client.get("/api/v1/api-keys?limit=1", headers=bearer(admin_token))
    assert response.status_code == 200
    page = response.get_json()
    assert [k["prefix"] for k in page["value"]] == [first["prefix"]]
    assert first["key"] not in response.get_data(as_text=True)
    following = client.get(page["nextLink"], headers=bearer(admin_token)).get_json()
    assert [k["prefix"] for k in following["value"]] == [second["prefix"]]
    assert "nextLink" not in following
    assert all("key" not in k and "hash" not in k for k in page["value"] + following["value"])


def test_a_replayed_create_answers_without_the_key_and_makes_no_second_key(
    client: FlaskClient, session: Session, admin_token: str, officer: User
) -> None:
    body = {"name": "Flow", "user_id": str(officer.id), "scopes": ["cases:read"]}
    headers = {**bearer(admin_token), "Idempotency-Key": "key-create-1"}
    first = client.post("/api/v1/api-keys", json=body, headers=headers)
    again = client.post("/api/v1/api-keys", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert "key" in first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "key" not in again.get_json()
    assert again.get_json()["id"] == first.get_json()["id"]
    assert len(session.scalars(select(ApiKey)).all()) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scopes": ["users:write"]}, "scopes.0"),
        ({"scopes": []}, "scopes"),
        ({"rate_limit": "lots"}, "rate_limit"),
        ({"user_id": "00000000-0000-4000-8000-000000000000"}, "user_id"),
        ({"expires_at": "2001-01-01T00:00:00.000Z"}, "expires_at"),
    ],
)
def test_a_key_with_bad_fields_is_refused(
    client: FlaskClient,
    session: Session,
    admin_token: str,
    officer: User,
    change: dict[str, Any],
    field: str,
) -> None:
    body = {"name": "Flow", "user_id": str(officer.id), "scopes": ["cases:read"], **change}
    response = client.post("/api/v1/api-keys", json=body, headers=bearer(admin_token))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert session.scalars(select(ApiKey)).all() == []


def test_non_admins_cannot_manage_keys(
    app: Flask, client: FlaskClient, session: Session, officer: User, team: Team
) -> None:
    create_user(app, session, username="sgt.keys", role="supervisor", team=team)
    for username in ("pc.ashworth", "sgt.keys"):
        token = login(client, username)["access_token"]
        body = {"name": "Mine", "user_id": str(officer.id), "scopes": ["cases:read"]}
        assert client.get("/api/v1/api-keys", headers=bearer(token)).status_code == 403
        assert client.post("/api/v1/api-keys", json=body, headers=bearer(token)).status_code == 403
    assert session.scalars(select(ApiKey)).all() == []


def test_a_key_calls_what_its_scopes_allow_and_nothing_else(
    client: FlaskClient, session: Session, admin_token: str, officer: User
) -> None:
    officer_token = login(client, "pc.ashworth")["access_token"]
    case = open_case_body(client, officer_token, "42/7001/26")
    secret = _create_key(client, admin_token, officer, ["cases:read"])["key"]
    listed = client.get("/api/v1/cases?scope=mine", headers=_key(secret))
    assert listed.status_code == 200
    assert [c["id"] for c in listed.get_json()["value"]] == [case["id"]]
    body = {"crime_reference": "42/7002/26", "offence": "Theft"}
    refused = client.post("/api/v1/cases", json=body, headers=_key(secret))
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "insufficient_scope"
    assert refused.get_json()["required_scope"] == "cases:write"
    assert "cases:write" in refused.get_json()["detail"]
    assert session.scalar(select(ApiKey.last_used_at)) is not None
    assert client.get("/api/v1/api-keys", headers=_key(secret)).get_json()["code"] == (
        "api_key_not_accepted"
    )
    refusals = audit_rows(session, resource_type="route")
    assert [(r.resource_id, r.reason, r.actor_id) for r in refusals] == [
        ("POST /api/v1/cases", "insufficient_scope", officer.id),
        ("GET /api/v1/api-keys", "api_key_not_accepted", officer.id),
    ]
    stored_key = session.scalars(select(ApiKey)).one()
    assert {(r.api_key_id, r.outcome) for r in refusals} == {(stored_key.id, "denied")}


def test_a_key_can_do_no_more_than_its_user_s_role(
    client: FlaskClient, admin_token: str, officer: User
) -> None:
    secret = _create_key(client, admin_token, officer, ["metrics:read"])["key"]
    response = client.get(
        "/api/v1/metrics/compliance?from=2026-01-01&to=2026-01-31", headers=_key(secret)
    )
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"


def test_calls_made_with_a_key_are_audited_as_that_key(
    client: FlaskClient, session: Session, admin_token: str, officer: User
) -> None:
    created = _create_key(client, admin_token, officer, ["cases:read", "cases:write"])
    response = client.post(
        "/api/v1/cases",
        json={"crime_reference": "42/7003/26", "offence": "Theft"},
        headers=_key(created["key"]),
    )
    assert response.status_code == 201
    records = session.scalars(select(AuditRecord).where(AuditRecord.resource_type == "case"))
    assert {(r.actor_id, r.actor_name, r.session_id) for r in records} == {
        (officer.id, f"pc.ashworth [key {created['prefix']}]", None)
    }


def test_a_revoked_key_is_refused_at_once(
    client: FlaskClient, session: Session, admin_token: str, officer: User
) -> None:
    created = _create_key(client, admin_token, officer, ["cases:read"])
    assert client.get("/api/v1/cases", headers=_key(created["key"])).status_code == 200
    path = f"/api/v1/api-keys/{created['id']}"
    assert client.delete(path, headers=bearer(admin_token)).status_code == 204
    refused = client.get("/api/v1/cases", headers=_key(created["key"]))
    assert refused.status_code == 401
    assert refused.content_type == "application/problem+json"
    assert refused.get_json()["code"] == "invalid_api_key"
    assert client.delete(path, headers=bearer(admin_token)).status_code == 204
    stored = session.scalars(select(ApiKey)).one()
    assert stored.revoked_at is not None
    assert stored.revoked_by_id is not None
    listed = client.get("/api/v1/api-keys", headers=bearer(admin_token)).get_json()
    assert "revoked_at" in listed["value"][0]
    revocations = session.scalars(select(AuditRecord).where(AuditRecord.reason == "revoked")).all()
    assert [(r.resource_id, r.operation) for r in revocations] == [
        (created["id"], "administration")
    ]
    refusal = session.scalars(
        select(AuditRecord).where(AuditRecord.reason == "invalid_api_key")
    ).one()
    assert (refusal.resource_type, refusal.outcome) == ("route", "denied")
    assert refusal.actor_name == f"[key {created['prefix']}]"


def test_revoking_an_unknown_key_is_not_found_and_audited_as_denied(
    client: FlaskClient, session: Session, admin_token: str
) -> None:
    path = "/api/v1/api-keys/00000000-0000-4000-8000-000000000000"
    assert client.delete(path, headers=bearer(admin_token)).status_code == 404
    [denied] = audit_rows(session, resource_type="api_key")
    assert (denied.resource_id, denied.outcome, denied.actor_name) == (
        "00000000-0000-4000-8000-000000000000",
        "denied",
        "admin.keys",
    )


def test_an_expired_key_is_refused(
    client: FlaskClient, session: Session, admin_token: str, officer: User
) -> None:
    created = _create_key(client, admin_token, officer, ["cases:read"])
    stored = session.scalars(select(ApiKey)).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    response = client.get(
        "/api/v1/cases", headers={**_key(created["key"]), "X-Request-Id": "req-expired"}
    )
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_api_key"
    [refused] = audit_rows(session, resource_type="route")
    assert (refused.actor_name, refused.actor_id, refused.reason, refused.request_id) == (
        f"[key {created['prefix']}]",
        None,
        "invalid_api_key",
        "req-expired",
    )
    assert created["key"] not in repr(vars(refused))


def test_a_disabled_user_s_key_is_refused(
    client: FlaskClient, session: Session, admin_token: str, officer: User
) -> None:
    created = _create_key(client, admin_token, officer, ["cases:read"])
    officer.disabled = True
    session.commit()
    response = client.get("/api/v1/cases", headers=_key(created["key"]))
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_api_key"


@pytest.mark.parametrize("mangle", ["wrong-secret", "not-a-key", "fa_unknown1_secret", ""])
def test_a_wrong_or_malformed_key_is_refused(
    client: FlaskClient, admin_token: str, officer: User, mangle: str
) -> None:
    created = _create_key(client, admin_token, officer, ["cases:read"])
    presented = created["prefix"] + "_" + mangle if mangle == "wrong-secret" else mangle
    response = client.get("/api/v1/cases", headers=_key(presented))
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_api_key"


def test_each_key_has_its_own_rate_limit(
    client: FlaskClient, session: Session, admin_token: str, officer: User
) -> None:
    slow = _create_key(client, admin_token, officer, ["cases:read"], rate_limit="2/minute")["key"]
    other = _create_key(client, admin_token, officer, ["cases:read"])["key"]
    codes = [client.get("/api/v1/cases", headers=_key(slow)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.get("/api/v1/cases", headers=_key(slow))
    assert limited.get_json()["code"] == "rate_limited"
    assert limited.content_type == "application/problem+json"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/cases", headers=_key(other)).status_code == 200
    # Two 429s in the minute, one record: a flood cannot fill the trail.
    [limited_record] = audit_rows(session, reason="rate_limited")
    assert (limited_record.resource_id, limited_record.outcome) == ("GET /api/v1/cases", "denied")
    assert limited_record.api_key_id is not None


def test_a_bearer_token_takes_precedence_over_a_key(
    client: FlaskClient, admin_token: str, officer: User
) -> None:
    token = login(client, "pc.ashworth")["access_token"]
    response = client.get("/api/v1/me", headers={**bearer(token), "X-API-Key": "fa_bad_bad"})
    assert response.status_code == 200
    assert response.get_json()["username"] == "pc.ashworth"
