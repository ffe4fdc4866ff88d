"""The principal cache across two app instances sharing one database and one Redis.

Instance B caches who is calling; every revocation answered on instance A is refused on B at
B's very next request, whether B's subscription is up (the published invalidation) or down
(B reads the database). Each instance has its own cache and a clock that moves only when told.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import event
from sqlalchemy.orm import Session

from fieldapp.database import get_database
from fieldapp.models import DeviceSession, User
from fieldapp.models.base import utcnow
from fieldapp.services import device_sessions
from fieldapp.web.principals import get_principals
from tests.conftest import make_app
from tests.factories import bearer, create_team, create_user, login

REDIS_URL = os.environ.get("FIELDAPP_TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="FIELDAPP_TEST_REDIS_URL is not set")


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Instance:
    """One app instance, its test client, its clock and the SQL statements it has run."""

    app: Flask
    client: FlaskClient
    clock: Clock
    statements: list[str] = field(default_factory=list)

    def me(self, token: str) -> tuple[int, dict[str, Any], int]:
        """GET /api/v1/me: the status, the body and how many statements it ran."""
        before = len(self.statements)
        response = self.client.get("/api/v1/me", headers=bearer(token))
        return response.status_code, response.get_json(), len(self.statements) - before


def start(database_url: str, folder: Path, channel: str, redis_url: str = REDIS_URL) -> Instance:
    """An instance with the cache on, counting the statements on both of its engines."""
    app = make_app(
        database_url,
        folder,
        REDIS_URL=redis_url,
        PRINCIPAL_CACHE=True,
        PRINCIPAL_CHANNEL=channel,
    )
    instance = Instance(app, app.test_client(), Clock())
    store = get_principals(app).store
    assert store is not None
    store.cache.clock = store.subscription.clock = instance.clock
    database = get_database(app)
    for engine in (database.engine, database.autocommit):
        event.listen(
            engine,
            "before_cursor_execute",
            lambda _c, _cur, statement, *_rest: instance.statements.append(statement),
        )
    return instance


@pytest.fixture
def channel() -> str:
    """A channel of this test only (channels are shared by every database index of a Redis)."""
    return f"fieldapp-test:{uuid.uuid4().hex}"


@pytest.fixture
def a(app: Flask, database_url: str, tmp_path: Path, channel: str) -> Instance:
    """Instance A, where the changes are made."""
    return start(database_url, tmp_path / "a", channel)


@pytest.fixture
def b(app: Flask, database_url: str, tmp_path: Path, channel: str) -> Instance:
    """Instance B, which caches."""
    return start(database_url, tmp_path / "b", channel)


@pytest.fixture
def admin_token(app: Flask, session: Session, a: Instance) -> str:
    """An admin signed in on A."""
    create_user(app, session, username="admin.cache", role="admin")
    return str(login(a.client, "admin.cache")["access_token"])


def cached_officer(app: Flask, session: Session, a: Instance, b: Instance) -> tuple[User, dict]:
    """An officer signed in on A whose session B has read once and now serves from its cache."""
    officer = create_user(app, session, username="pc.cached")
    tokens = login(a.client, "pc.cached")
    assert b.me(tokens["access_token"])[0] == 200
    status, body, statements = b.me(tokens["access_token"])
    assert (status, body["username"], statements) == (200, "pc.cached", 0)
    return officer, tokens


def test_a_cached_request_runs_no_statement(
    app: Flask, session: Session, a: Instance, b: Instance
) -> None:
    create_user(app, session, username="pc.quiet")
    token = login(a.client, "pc.quiet")["access_token"]
    first = b.me(token)
    assert first[0] == 200 and first[2] >= 1  # read once from the database
    for _ in range(3):
        assert b.me(token) == (200, first[1], 0)


def _patch_user(changes: dict[str, Any]) -> Callable[[Instance, str, User, dict], int]:
    """A change an admin makes on A through PATCH /api/v1/users/{id}."""

    def change(a: Instance, admin: str, user: User, _tokens: dict) -> int:
        headers = {**bearer(admin), "If-Match": f'"{user.version}"'}
        return a.client.patch(f"/api/v1/users/{user.id}", json=changes, headers=headers).status_code

    return change


def _sign_out(a: Instance, _admin: str, _user: User, tokens: dict) -> int:
    return a.client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"])).status_code


def _delete_own_session(a: Instance, _admin: str, _user: User, tokens: dict) -> int:
    headers = bearer(tokens["access_token"])
    mine = a.client.get("/api/v1/me/sessions", headers=headers).get_json()["value"]
    (current,) = [s for s in mine if s["current"]]
    return a.client.delete(f"/api/v1/me/sessions/{current['id']}", headers=headers).status_code


def _admin_signs_out_everywhere(a: Instance, admin: str, user: User, _tokens: dict) -> int:
    return a.client.delete(f"/api/v1/users/{user.id}/sessions", headers=bearer(admin)).status_code


def _reuse_refresh_token(a: Instance, _admin: str, _user: User, tokens: dict) -> int:
    headers = bearer(tokens["refresh_token"])
    assert a.client.post("/api/v1/auth/refresh", headers=headers).status_code == 200
    return a.client.post("/api/v1/auth/refresh", headers=headers).status_code


REVOCATIONS = {
    "sign-out": (_sign_out, 204),
    "own session deleted": (_delete_own_session, 204),
    "role changed": (_patch_user({"role": "supervisor"}), 200),
    "disabled": (_patch_user({"disabled": True}), 200),
    "password changed": (_patch_user({"password": "violet granite ferry lantern 42"}), 200),
    "team changed": (_patch_user({"team": "Other Team"}), 200),
    "signed out everywhere": (_admin_signs_out_everywhere, 204),
    "refresh token reused": (_reuse_refresh_token, 401),
}


@pytest.mark.parametrize("name", list(REVOCATIONS))
def test_a_revocation_on_one_instance_is_refused_on_the_other_at_the_next_request(
    app: Flask, session: Session, a: Instance, b: Instance, admin_token: str, name: str
) -> None:
    create_team(session, name="Other Team")
    officer, tokens = cached_officer(app, session, a, b)
    revoke, expected = REVOCATIONS[name]
    assert revoke(a, admin_token, officer, tokens) == expected
    status, body, _ = b.me(tokens["access_token"])
    assert status == 401
    assert body["code"] == "token_revoked"
    assert body["status"] == 401


def test_a_changed_name_shows_on_the_other_instance_at_the_next_request(
    app: Flask, session: Session, a: Instance, b: Instance, admin_token: str
) -> None:
    officer, tokens = cached_officer(app, session, a, b)
    assert _patch_user({"display_name": "PC Renamed"})(a, admin_token, officer, tokens) == 200
    status, body, statements = b.me(tokens["access_token"])
    assert (status, body["display_name"]) == (200, "PC Renamed")
    assert statements >= 1


def test_with_redis_unreachable_every_request_reads_the_database_and_revocations_hold(
    app: Flask, session: Session, a: Instance, database_url: str, tmp_path: Path, channel: str
) -> None:
    b = start(database_url, tmp_path / "b", channel, redis_url="redis://127.0.0.1:1/0")
    create_user(app, session, username="pc.offline")
    tokens = login(a.client, "pc.offline")
    for _ in range(2):
        status, _body, statements = b.me(tokens["access_token"])
        assert status == 200 and statements >= 1
    assert _sign_out(a, "", User(), tokens) == 204
    status, body, statements = b.me(tokens["access_token"])
    assert (status, body["code"]) == (401, "token_revoked") and statements >= 1


def _kill_subscription(channel: str) -> None:
    """Drop B's subscription from the Redis side, as a Redis restart or a network cut would."""
    redis = Redis.from_url(REDIS_URL)
    try:
        name = f"fieldapp-principals:{channel}"
        clients = [client for client in redis.client_list() if client["name"] == name]
        assert clients  # B's subscription (and A's, had A checked a token)
        for client in clients:
            redis.client_kill_filter(_id=client["id"])
    finally:
        redis.close()


def test_a_lost_subscription_empties_the_cache_until_it_is_renewed(
    app: Flask, session: Session, a: Instance, b: Instance, channel: str
) -> None:
    officer, tokens = cached_officer(app, session, a, b)
    create_user(app, session, username="pc.other")
    other = login(a.client, "pc.other")["access_token"]
    _kill_subscription(channel)
    assert _sign_out(a, "", officer, tokens) == 204  # published to nobody
    status, body, statements = b.me(tokens["access_token"])
    assert (status, body["code"]) == (401, "token_revoked") and statements >= 1
    for _ in range(2):  # no new subscription within the second: the database every time
        assert b.me(other)[0] == 200 and b.me(other)[2] >= 1
    b.clock.now += 1.0  # a second later B subscribes again, then caches again
    assert b.me(other)[0] == 200
    assert b.me(other)[2] == 0


def test_a_read_racing_an_invalidation_is_not_kept(
    app: Flask, session: Session, a: Instance, b: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user(app, session, username="pc.racing")
    tokens = login(a.client, "pc.racing")
    read = device_sessions.session_row

    def read_then_revoke_on_a(connection: Any, session_id: uuid.UUID) -> Any:
        """B's read returns the live row; A revokes the session before B can keep it."""
        row = read(connection, session_id)
        with get_database(a.app).sessions() as other:
            device = other.get(DeviceSession, session_id)
            assert device is not None
            device.revoked_at = utcnow()
            other.commit()
        return row

    monkeypatch.setattr(device_sessions, "session_row", read_then_revoke_on_a)
    assert b.me(tokens["access_token"])[0] == 200  # read before the revocation committed
    monkeypatch.setattr(device_sessions, "session_row", read)
    store = get_principals(b.app).store
    assert store is not None and len(store.cache) == 0
    status, body, statements = b.me(tokens["access_token"])
    assert (status, body["code"]) == (401, "token_revoked") and statements >= 1


def test_without_redis_there_is_no_cache(app: Flask, client: FlaskClient, session: Session) -> None:
    assert get_principals(app).store is None
    assert get_principals(app).publisher is None
    create_user(app, session, username="pc.plain")
    token = login(client, "pc.plain")["access_token"]
    counted: list[str] = []
    event.listen(
        get_database(app).autocommit,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_rest: counted.append(statement),
    )
    for expected in (1, 2):
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
        assert len(counted) == expected


def _key_for(a: Instance, admin: str, user: User) -> dict[str, Any]:
    """A key acting for ``user``, issued on A."""
    body = {"name": "Duty app", "user_id": str(user.id), "scopes": ["cases:read"]}
    response = a.client.post("/api/v1/api-keys", json=body, headers=bearer(admin))
    assert response.status_code == 201
    created: dict[str, Any] = response.get_json()
    return created


def _list_cases(instance: Instance, secret: str) -> tuple[int, dict[str, Any], int]:
    """GET /api/v1/cases with an API key: status, body, statements run."""
    before = len(instance.statements)
    response = instance.client.get("/api/v1/cases", headers={"X-API-Key": secret})
    return response.status_code, response.get_json(), len(instance.statements) - before


@pytest.mark.parametrize("revocation", ["key revoked", "user disabled"])
def test_an_api_key_revoked_on_one_instance_is_refused_on_the_other_at_the_next_request(
    app: Flask, session: Session, a: Instance, b: Instance, admin_token: str, revocation: str
) -> None:
    officer = create_user(app, session, username="pc.keyholder")
    key = _key_for(a, admin_token, officer)
    first = _list_cases(b, key["key"])  # read, its first use written
    second = _list_cases(b, key["key"])  # read again (the use just written), then kept
    third = _list_cases(b, key["key"])
    assert (first[0], second[0], third[0]) == (200, 200, 200)
    # The first call also wrote the key's last use; the third read no key at all.
    assert (first[2] - 2, second[2] - 1) == (third[2], third[2])
    if revocation == "key revoked":
        url = f"/api/v1/api-keys/{key['id']}"
        assert a.client.delete(url, headers=bearer(admin_token)).status_code == 204
    else:
        assert _patch_user({"disabled": True})(a, admin_token, officer, {}) == 200
    status, body, _ = _list_cases(b, key["key"])
    assert (status, body["code"]) == (401, "invalid_api_key")
