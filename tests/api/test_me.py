"""GET /api/v1/me and the caller's own device sessions."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.models import DeviceSession
from tests.factories import bearer, create_user, login


def test_me_returns_the_signed_in_officer(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = create_user(app, session, username="PC.Jones", display_name="PC Alex Jones")
    tokens = login(client, "pc.jones")
    response = client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.get_json() == {
        "id": str(user.id),
        "username": "pc.jones",
        "display_name": "PC Alex Jones",
        "role": "officer",
        "team": user.team.name,
        "team_id": str(user.team_id),
        "rank": "Constable",
        "collar_number": user.collar_number,
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_me_omits_rank_and_collar_number_when_not_recorded(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="staff1", rank=None, collar_number=None)
    tokens = login(client, "staff1")
    body = client.get("/api/v1/me", headers=bearer(tokens["access_token"])).get_json()
    assert "rank" not in body
    assert "collar_number" not in body


def test_sessions_lists_each_device_and_marks_the_current_one(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.two")
    phone = login(client, "pc.two", device="Work phone")
    login(client, "pc.two", device="Tablet")
    response = client.get("/api/v1/me/sessions", headers=bearer(phone["access_token"]))
    assert response.status_code == 200
    devices = {item["device_name"]: item for item in response.get_json()["value"]}
    assert set(devices) == {"Work phone", "Tablet"}
    assert devices["Work phone"]["current"] is True
    assert devices["Tablet"]["current"] is False
    assert devices["Tablet"]["created_at"].endswith("Z")


def test_signing_out_a_lost_phone_kills_its_tokens_only(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.three")
    desk = login(client, "pc.three", device="Desk")
    lost = login(client, "pc.three", device="Lost phone")
    lost_id = next(
        item["id"]
        for item in client.get("/api/v1/me/sessions", headers=bearer(desk["access_token"])).json[
            "value"
        ]
        if item["device_name"] == "Lost phone"
    )
    response = client.delete(f"/api/v1/me/sessions/{lost_id}", headers=bearer(desk["access_token"]))
    assert response.status_code == 204
    refused = client.get("/api/v1/me", headers=bearer(lost["access_token"]))
    assert refused.status_code == 401
    assert refused.get_json()["code"] == "token_revoked"
    again = client.post("/api/v1/auth/refresh", headers=bearer(lost["refresh_token"]))
    assert again.status_code == 401
    assert client.get("/api/v1/me", headers=bearer(desk["access_token"])).status_code == 200
    stored = session.scalar(select(DeviceSession).where(DeviceSession.device_name == "Lost phone"))
    assert stored is not None
    assert stored.revoked_reason == "signed_out_by_user"


def test_cannot_sign_out_another_users_session(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.four")
    create_user(app, session, username="pc.five")
    mine = login(client, "pc.four")
    theirs = login(client, "pc.five")
    their_id = client.get("/api/v1/me/sessions", headers=bearer(theirs["access_token"])).json[
        "value"
    ][0]["id"]
    response = client.delete(
        f"/api/v1/me/sessions/{their_id}", headers=bearer(mine["access_token"])
    )
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers=bearer(theirs["access_token"])).status_code == 200
