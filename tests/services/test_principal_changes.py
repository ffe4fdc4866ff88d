"""Every writer that ends a session or changes who a caller is announces it after COMMIT.

Walks the writers through the API (and the console's time-out through its service), recording
what the session hooks announce: the tags the principal cache drops here and publishes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from fieldapp.database import get_database
from fieldapp.models import DeviceSession, User
from fieldapp.models.base import utcnow
from fieldapp.services import console_sessions
from fieldapp.services.messages.quota import take_send_slot
from fieldapp.services.principal_changes import (
    declared,
    key_tag,
    session_tag,
    team_tag,
    user_tag,
    watch,
)
from fieldapp.services.refusals import Origin
from tests.factories import bearer, create_team, create_user, login


@pytest.fixture
def announced(app: Flask) -> list[frozenset[str]]:
    """What the app's session factory announces, commit by commit."""
    seen: list[frozenset[str]] = []
    watch(get_database(app).sessions, seen.append)
    return seen


@pytest.fixture
def officer(app: Flask, session: Session) -> User:
    """An officer."""
    return create_user(app, session, username="pc.writer")


@pytest.fixture
def admin(app: Flask, client: FlaskClient, session: Session) -> str:
    """An admin's access token."""
    create_user(app, session, username="admin.writer", role="admin")
    return str(login(client, "admin.writer")["access_token"])


@pytest.fixture
def signed_in(client: FlaskClient, officer: User) -> Iterator[dict[str, Any]]:
    """The officer's tokens and device session id."""
    tokens = login(client, "pc.writer")
    mine = client.get("/api/v1/me/sessions", headers=bearer(tokens["access_token"]))
    yield {**tokens, "sid": uuid.UUID(mine.get_json()["value"][0]["id"])}


def test_signing_out_announces_the_session(
    client: FlaskClient, signed_in: dict[str, Any], announced: list[frozenset[str]]
) -> None:
    response = client.post("/api/v1/auth/logout", headers=bearer(signed_in["access_token"]))
    assert response.status_code == 204
    assert session_tag(signed_in["sid"]) in set().union(*announced)


def test_deleting_an_own_session_announces_it(
    client: FlaskClient, signed_in: dict[str, Any], announced: list[frozenset[str]]
) -> None:
    url = f"/api/v1/me/sessions/{signed_in['sid']}"
    response = client.delete(url, headers=bearer(signed_in["access_token"]))
    assert response.status_code == 204
    assert announced == [frozenset({session_tag(signed_in["sid"])})]


def test_refresh_rotation_and_reuse_announce_only_the_session(
    client: FlaskClient, signed_in: dict[str, Any], announced: list[frozenset[str]]
) -> None:
    headers = bearer(signed_in["refresh_token"])
    assert client.post("/api/v1/auth/refresh", headers=headers).status_code == 200
    assert announced == [frozenset({session_tag(signed_in["sid"])})]
    assert client.post("/api/v1/auth/refresh", headers=headers).status_code == 401
    assert announced[1:] == [frozenset({session_tag(signed_in["sid"])})]


@pytest.mark.parametrize(
    "changes",
    [
        {"role": "supervisor"},
        {"disabled": True},
        {"password": "violet granite ferry lantern 42"},
        {"team": "Elsewhere"},
        {"display_name": "PC Renamed"},
        {"rank": "Sergeant"},
    ],
)
def test_an_admin_change_to_an_account_announces_the_user(
    client: FlaskClient,
    session: Session,
    officer: User,
    admin: str,
    announced: list[frozenset[str]],
    changes: dict[str, Any],
) -> None:
    create_team(session, name="Elsewhere")
    announced.clear()
    headers = {**bearer(admin), "If-Match": f'"{officer.version}"'}
    response = client.patch(f"/api/v1/users/{officer.id}", json=changes, headers=headers)
    assert response.status_code == 200
    assert user_tag(officer.id) in set().union(*announced)


def test_an_admin_signing_a_user_out_everywhere_announces_the_user(
    client: FlaskClient, officer: User, admin: str, announced: list[frozenset[str]]
) -> None:
    response = client.delete(f"/api/v1/users/{officer.id}/sessions", headers=bearer(admin))
    assert response.status_code == 204
    assert user_tag(officer.id) in set().union(*announced)


def test_revoking_an_api_key_announces_the_key(
    client: FlaskClient, officer: User, admin: str, announced: list[frozenset[str]]
) -> None:
    body = {"name": "Duty app", "user_id": str(officer.id), "scopes": ["cases:read"]}
    created = client.post("/api/v1/api-keys", json=body, headers=bearer(admin)).get_json()
    assert announced == []  # a new key is in nobody's cache
    response = client.delete(f"/api/v1/api-keys/{created['id']}", headers=bearer(admin))
    assert response.status_code == 204
    assert announced == [frozenset({key_tag(uuid.UUID(created["id"]))})]


def test_the_console_time_out_announces_the_session(
    session: Session, signed_in: dict[str, Any], announced: list[frozenset[str]]
) -> None:
    origin = Origin(purpose="administration")
    console_sessions.end_idle(session, origin, session_id=signed_in["sid"], now=utcnow())
    assert announced == [frozenset({session_tag(signed_in["sid"])})]


def test_a_bulk_write_that_does_not_say_what_it_changed_announces_everything(
    session: Session, officer: User, announced: list[frozenset[str]]
) -> None:
    session.execute(update(User).where(User.id == officer.id).values(rank="Inspector"))
    session.commit()
    assert announced == [frozenset({"*"})]


def test_writes_that_change_no_principal_announce_nothing(
    session: Session, officer: User, announced: list[frozenset[str]]
) -> None:
    session.execute(
        update(DeviceSession).where(DeviceSession.user_id == officer.id).values(device_name="x"),
        execution_options=declared(),
    )
    take_send_slot(session, officer.id, quota="30/hour", now=utcnow())  # its no-op row lock
    create_team(session, name="Brand New")  # new rows are in no cache
    session.commit()
    assert announced == []


def test_a_rolled_back_change_announces_nothing(
    session: Session, officer: User, announced: list[frozenset[str]]
) -> None:
    officer.role = "supervisor"
    session.flush()
    session.rollback()
    create_team(session, name="After")  # the next commit carries nothing of it
    assert announced == []


def test_tags_name_their_kind() -> None:
    ident = uuid.UUID(int=1)
    tags = {session_tag(ident), user_tag(ident), team_tag(ident), key_tag(ident)}
    assert {tag[:2] for tag in tags} == {"s:", "u:", "t:", "k:"}
