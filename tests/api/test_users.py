"""Admin management of accounts and teams, and what account changes do to sessions."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.models import DeviceSession, Team, User
from fieldapp.services.passwords import COMMON_PASSWORD_MESSAGE
from tests.factories import PASSWORD, audit_rows, bearer, create_team, create_user, login


@pytest.fixture
def admin_token(app: Flask, client: FlaskClient, session: Session) -> str:
    """A signed-in admin's access token."""
    create_user(app, session, username="admin.one", role="admin")
    return str(login(client, "admin.one")["access_token"])


def _new_user_body(team: str, **overrides: object) -> dict[str, object]:
    return {
        "username": "PC.New",
        "password": "a long enough password",
        "display_name": "PC New Starter",
        "role": "officer",
        "team": team,
        "rank": "Constable",
        "collar_number": "9001",
        **overrides,
    }


def test_admin_creates_a_user_who_can_then_sign_in(
    client: FlaskClient, session: Session, admin_token: str
) -> None:
    team = create_team(session, name="Response A")
    response = client.post(
        "/api/v1/users", json=_new_user_body(team.name), headers=bearer(admin_token)
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["username"] == "pc.new"
    assert body["team"] == "Response A"
    assert body["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert "password" not in body and "password_hash" not in body
    stored = session.scalar(select(User).where(User.username == "pc.new"))
    assert stored is not None and stored.password_hash.startswith("$argon2id$")
    login(client, "pc.new", "a long enough password")


def test_a_work_phone_is_stored_in_e164_and_a_bad_one_refused(
    client: FlaskClient, session: Session, admin_token: str
) -> None:
    team = create_team(session, name="Response P")
    good = client.post(
        "/api/v1/users",
        json=_new_user_body(team.name, phone="020 7946 0123"),
        headers=bearer(admin_token),
    )
    bad = client.post(
        "/api/v1/users",
        json=_new_user_body(team.name, username="pc.other", phone="not a number"),
        headers=bearer(admin_token),
    )

    assert good.status_code == 201
    assert good.get_json()["phone"] == "+442079460123"
    assert bad.status_code == 422
    assert "phone" in bad.get_json()["errors"]
    stored = session.scalar(select(User).where(User.username == "pc.new"))
    assert stored is not None and stored.phone == "+442079460123"


def test_create_user_refuses_a_taken_username_with_409(
    app: Flask, client: FlaskClient, session: Session, admin_token: str
) -> None:
    team = create_team(session)
    create_user(app, session, username="pc.new", team=team)
    response = client.post(
        "/api/v1/users", json=_new_user_body(team.name), headers=bearer(admin_token)
    )
    assert response.status_code == 409
    assert response.get_json()["code"] == "conflict"
    assert session.scalar(select(func.count()).select_from(User)) == 2


def test_create_user_names_each_bad_field(client: FlaskClient, admin_token: str) -> None:
    body = _new_user_body("No Such Team", role="chief", password="short", username="a b")
    body["is_admin"] = True
    response = client.post("/api/v1/users", json=body, headers=bearer(admin_token))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"role", "password", "username", "is_admin"}
    assert errors["is_admin"] == ["Unknown field."]


def test_create_user_in_an_unknown_team_is_a_422(client: FlaskClient, admin_token: str) -> None:
    response = client.post(
        "/api/v1/users", json=_new_user_body("No Such Team"), headers=bearer(admin_token)
    )
    assert response.status_code == 422
    assert "team" in response.get_json()["errors"]


def test_create_and_move_a_user_by_the_team_id_answers_give(
    client: FlaskClient, session: Session, admin_token: str
) -> None:
    first = create_team(session, name="Response Id")
    second = create_team(session, name="Response Name")
    created = client.post(
        "/api/v1/users", json=_new_user_body(str(first.id)), headers=bearer(admin_token)
    )
    assert created.status_code == 201
    body = created.get_json()
    assert (body["team_id"], body["team"]) == (str(first.id), "Response Id")
    by_id = client.patch(
        f"/api/v1/users/{body['id']}",
        json={"team": str(second.id).upper()},
        headers={**bearer(admin_token), "If-Match": created.headers["ETag"]},
    )
    assert by_id.status_code == 200
    assert (by_id.get_json()["team_id"], by_id.get_json()["team"]) == (
        str(second.id),
        "Response Name",
    )
    by_name = client.patch(
        f"/api/v1/users/{body['id']}",
        json={"team": "Response Id"},
        headers={**bearer(admin_token), "If-Match": by_id.headers["ETag"]},
    )
    assert by_name.status_code == 200
    assert by_name.get_json()["team_id"] == str(first.id)
    unknown = client.patch(
        f"/api/v1/users/{body['id']}",
        json={"team": str(uuid.uuid4())},
        headers={**bearer(admin_token), "If-Match": by_name.headers["ETag"]},
    )
    assert unknown.status_code == 422
    assert "team" in unknown.get_json()["errors"]


@pytest.mark.parametrize("role", ["officer", "supervisor", "auditor"])
def test_only_admins_manage_users(
    app: Flask, client: FlaskClient, session: Session, role: str
) -> None:
    create_user(app, session, username=f"not.admin.{role}", role=role)
    token = login(client, f"not.admin.{role}")["access_token"]
    listing = client.get("/api/v1/users", headers=bearer(token))
    creating = client.post("/api/v1/users", json=_new_user_body("x"), headers=bearer(token))
    for response in (listing, creating):
        assert response.status_code == 403
        assert response.get_json()["code"] == "forbidden"
    assert session.scalar(select(User).where(User.username == "pc.new")) is None


def test_user_list_pages_with_next_link(
    app: Flask, client: FlaskClient, session: Session, admin_token: str
) -> None:
    team = create_team(session)
    for n in range(5):
        create_user(app, session, username=f"zz.page{n}", team=team)
    seen: list[str] = []
    url: str | None = "/api/v1/users?limit=2"
    pages = 0
    while url:
        response = client.get(url, headers=bearer(admin_token))
        assert response.status_code == 200
        body = response.get_json()
        assert len(body["value"]) <= 2
        seen.extend(user["username"] for user in body["value"])
        url = body.get("nextLink")
        if url:
            assert url.startswith("http://localhost/api/v1/users?")
            assert "limit=2" in url
        pages += 1
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 6
    assert pages == 3


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=x", "cursor=%%%", "cursor=WzFd"])
def test_user_list_refuses_bad_paging(client: FlaskClient, admin_token: str, query: str) -> None:
    response = client.get(f"/api/v1/users?{query}", headers=bearer(admin_token))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) <= {"limit", "cursor"}


def test_patch_needs_if_match_and_refuses_a_stale_one(
    app: Flask, client: FlaskClient, session: Session, admin_token: str
) -> None:
    user = create_user(app, session, username="pc.patch")
    url = f"/api/v1/users/{user.id}"
    missing = client.patch(url, json={"rank": "Sergeant"}, headers=bearer(admin_token))
    assert missing.status_code == 428
    assert missing.get_json()["code"] == "precondition_required"
    stale = client.patch(
        url, json={"rank": "Sergeant"}, headers={**bearer(admin_token), "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    assert stale.get_json()["current_version"] == 1
    etag = client.get(url, headers=bearer(admin_token)).headers["ETag"]
    ok = client.patch(
        url, json={"rank": "Sergeant"}, headers={**bearer(admin_token), "If-Match": etag}
    )
    assert ok.status_code == 200
    assert ok.get_json()["rank"] == "Sergeant"
    assert ok.headers["ETag"] == '"2"'
    replay = client.patch(
        url, json={"rank": "Inspector"}, headers={**bearer(admin_token), "If-Match": etag}
    )
    assert replay.status_code == 412
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored is not None and stored.rank == "Sergeant" and stored.version == 2


def test_display_name_change_keeps_sessions(
    app: Flask, client: FlaskClient, session: Session, admin_token: str
) -> None:
    user = create_user(app, session, username="pc.rename")
    token = login(client, "pc.rename")["access_token"]
    response = client.patch(
        f"/api/v1/users/{user.id}",
        json={"display_name": "PC Renamed"},
        headers={**bearer(admin_token), "If-Match": '"1"'},
    )
    assert response.status_code == 200
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.get_json()["display_name"] == "PC Renamed"


@pytest.mark.parametrize(
    "change",
    [{"disabled": True}, {"role": "supervisor"}, {"password": "a brand new password"}],
)
def test_disabling_or_changing_role_or_password_kills_tokens_at_once(
    app: Flask, client: FlaskClient, session: Session, admin_token: str, change: dict[str, object]
) -> None:
    user = create_user(app, session, username="pc.changed")
    tokens = login(client, "pc.changed")
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 200
    response = client.patch(
        f"/api/v1/users/{user.id}", json=change, headers={**bearer(admin_token), "If-Match": '"1"'}
    )
    assert response.status_code == 200
    refused = client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert refused.status_code == 401
    assert (
        client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])).status_code
        == 401
    )
    open_sessions = session.scalar(
        select(func.count())
        .select_from(DeviceSession)
        .where(DeviceSession.user_id == user.id, DeviceSession.revoked_at.is_(None))
    )
    assert open_sessions == 0


def test_a_role_change_takes_effect_from_the_database_not_the_token(
    app: Flask, client: FlaskClient, session: Session, admin_token: str
) -> None:
    user = create_user(app, session, username="pc.promoted")
    client.patch(
        f"/api/v1/users/{user.id}",
        json={"role": "admin"},
        headers={**bearer(admin_token), "If-Match": '"1"'},
    )
    token = login(client, "pc.promoted")["access_token"]
    assert client.get("/api/v1/users", headers=bearer(token)).status_code == 200


def test_admin_revokes_every_session_of_a_user(
    app: Flask, client: FlaskClient, session: Session, admin_token: str
) -> None:
    user = create_user(app, session, username="pc.lostall")
    phone = login(client, "pc.lostall", device="Phone")
    tablet = login(client, "pc.lostall", device="Tablet")
    response = client.delete(f"/api/v1/users/{user.id}/sessions", headers=bearer(admin_token))
    assert response.status_code == 204
    for tokens in (phone, tablet):
        assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(admin_token)).status_code == 200
    login(client, "pc.lostall")  # signing in again still works


def test_admin_cannot_lock_themselves_out(
    client: FlaskClient, session: Session, admin_token: str
) -> None:
    me = client.get("/api/v1/me", headers=bearer(admin_token)).get_json()
    for change in ({"disabled": True}, {"role": "officer"}):
        response = client.patch(
            f"/api/v1/users/{me['id']}",
            json=change,
            headers={**bearer(admin_token), "If-Match": '"1"'},
        )
        assert response.status_code == 409
    stored = session.get(User, uuid.UUID(me["id"]))
    assert stored is not None and stored.role == "admin" and not stored.disabled


def test_unknown_user_is_a_404_problem(client: FlaskClient, admin_token: str) -> None:
    response = client.get(f"/api/v1/users/{uuid.uuid4()}", headers=bearer(admin_token))
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"
    malformed = client.get("/api/v1/users/not-a-uuid", headers=bearer(admin_token))
    assert malformed.status_code == 404


@pytest.mark.parametrize("name", [" ", "\u001c", "\t\u2003"])
def test_a_team_name_of_only_spaces_is_a_422_and_nothing_is_stored(
    client: FlaskClient, session: Session, admin_token: str, name: str
) -> None:
    before = session.scalar(select(func.count()).select_from(Team))
    response = client.post("/api/v1/teams", json={"name": name}, headers=bearer(admin_token))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"name": ["Length must be between 1 and 80."]}
    assert session.scalar(select(func.count()).select_from(Team)) == before


def test_admin_creates_and_lists_teams(
    client: FlaskClient, session: Session, admin_token: str
) -> None:
    created = client.post(
        "/api/v1/teams", json={"name": "Roads Policing"}, headers=bearer(admin_token)
    )
    assert created.status_code == 201
    assert created.get_json()["name"] == "Roads Policing"
    duplicate = client.post(
        "/api/v1/teams", json={"name": "Roads Policing"}, headers=bearer(admin_token)
    )
    assert duplicate.status_code == 409
    names = [
        t["name"] for t in client.get("/api/v1/teams", headers=bearer(admin_token)).json["value"]
    ]
    assert "Roads Policing" in names
    assert (
        session.scalar(select(func.count()).select_from(Team).where(Team.name == "Roads Policing"))
        == 1
    )
    [record] = audit_rows(session, resource_type="team")
    assert (record.resource_id, record.operation, record.reason) == (
        created.get_json()["id"], "administration", "created",
    )  # fmt: skip


def test_password_is_never_returned(
    app: Flask, client: FlaskClient, session: Session, admin_token: str
) -> None:
    create_user(app, session, username="pc.secret")
    text = client.get("/api/v1/users", headers=bearer(admin_token)).get_data(as_text=True)
    assert "argon2" not in text
    assert PASSWORD not in text


def test_creating_a_user_is_safe_to_retry(
    client: FlaskClient, session: Session, admin_token: str
) -> None:
    team = create_team(session, name="Retry Team")
    headers = {**bearer(admin_token), "Idempotency-Key": "new-starter-1"}
    first = client.post("/api/v1/users", json=_new_user_body(team.name), headers=headers)
    again = client.post("/api/v1/users", json=_new_user_body(team.name), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (
        session.scalar(select(func.count()).select_from(User).where(User.username == "pc.new")) == 1
    )
    team_headers = {**bearer(admin_token), "Idempotency-Key": "team-1"}
    made = client.post("/api/v1/teams", json={"name": "Dogs"}, headers=team_headers)
    remade = client.post("/api/v1/teams", json={"name": "Dogs"}, headers=team_headers)
    assert (made.status_code, remade.status_code) == (201, 201)
    assert remade.get_json()["id"] == made.get_json()["id"]


def test_creating_an_admin_is_audited_with_the_fields_set_but_no_secret(
    client: FlaskClient, session: Session, admin_token: str
) -> None:
    team = create_team(session, name="Response Audit")
    body = _new_user_body(team.name, username="admin.two", role="admin")
    response = client.post(
        "/api/v1/users", json=body, headers={**bearer(admin_token), "X-Request-Id": "req-u-1"}
    )
    assert response.status_code == 201
    created = response.get_json()
    [record] = audit_rows(session, resource_type="user", resource_id=created["id"])
    assert (record.actor_name, record.operation, record.outcome, record.reason) == (
        "admin.one",
        "administration",
        "allowed",
        "created admin",
    )
    assert record.field_groups == "collar_number,display_name,password,rank,role,team"
    assert (record.client_address, record.request_id) == ("127.0.0.1", "req-u-1")
    assert record.session_id is not None
    assert "a long enough password" not in repr(vars(record))


def test_role_and_password_changes_and_revoking_sessions_are_audited(
    app: Flask, client: FlaskClient, session: Session, admin_token: str
) -> None:
    user = create_user(app, session, username="pc.changes")
    response = client.patch(
        f"/api/v1/users/{user.id}",
        json={"role": "supervisor", "password": "another long password"},
        headers={**bearer(admin_token), "If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert client.delete(f"/api/v1/users/{user.id}/sessions", headers=bearer(admin_token))
    changes = audit_rows(session, resource_id=str(user.id), actor_name="admin.one")
    assert [(r.operation, r.field_groups, r.reason) for r in changes] == [
        ("administration", "password,role", "role supervisor"),
        ("administration", "sessions", "revoked_by_admin"),
    ]
    assert all("another long password" not in repr(vars(r)) for r in changes)


def test_changing_an_unknown_user_is_a_404_audited_as_denied(
    client: FlaskClient, session: Session, admin_token: str
) -> None:
    missing = uuid.uuid4()
    response = client.patch(
        f"/api/v1/users/{missing}",
        json={"role": "admin"},
        headers={**bearer(admin_token), "If-Match": '"1"'},
    )
    assert response.status_code == 404
    [denied] = audit_rows(session, resource_id=str(missing))
    assert (denied.operation, denied.outcome, denied.actor_name) == (
        "alteration",
        "denied",
        "admin.one",
    )


@pytest.mark.parametrize(
    "password", ["password1234", "Qwertyuiop123", "iloveyou2024!", "  Monkey1234567"]
)
def test_admin_cannot_give_a_common_password_on_create_or_change(
    app: Flask, client: FlaskClient, session: Session, admin_token: str, password: str
) -> None:
    team = create_team(session, name="Response C")
    created = client.post(
        "/api/v1/users",
        json=_new_user_body(team.name, password=password),
        headers=bearer(admin_token),
    )
    assert created.status_code == 422
    assert created.get_json()["errors"] == {"password": [COMMON_PASSWORD_MESSAGE]}
    assert session.scalar(select(User).where(User.username == "pc.new")) is None
    user = create_user(app, session, username="pc.keeps")
    url = f"/api/v1/users/{user.id}"
    changed = client.patch(
        url, json={"password": password}, headers={**bearer(admin_token), "If-Match": '"1"'}
    )
    assert changed.status_code == 422
    assert changed.get_json()["errors"] == {"password": [COMMON_PASSWORD_MESSAGE]}
    session.expire_all()
    assert session.get(User, user.id).version == 1  # type: ignore[union-attr]
    login(client, "pc.keeps", PASSWORD)
