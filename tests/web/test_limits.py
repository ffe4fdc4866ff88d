"""Sign-in rate limits are shared through Redis, so every worker and machine counts together."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from tests.conftest import make_app

REDIS_URL = os.environ.get("FIELDAPP_TEST_REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="FIELDAPP_TEST_REDIS_URL is not set")
def test_two_workers_share_one_login_limit_through_redis(database_url: str, tmp_path: Path) -> None:
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "LOGIN_LIMIT_PER_CLIENT": "3/minute"}
    workers = [make_app(database_url, tmp_path / f"w{n}", **settings) for n in range(2)]
    # A client address and username of this run only: Redis outlives test runs.
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}-{uuid.uuid4().hex[:8]}"
    clients = [worker.test_client() for worker in workers]
    for client in clients:
        client.environ_base["REMOTE_ADDR"] = address
    attempt = {"username": f"nobody-{uuid.uuid4().hex}", "password": "not it", "device_name": "x"}
    codes = [clients[n % 2].post("/api/v1/auth/login", json=attempt).status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]


def test_an_instance_stays_ready_while_redis_is_down(database_url: str, tmp_path: Path) -> None:
    # Limits fall back per worker and the principal cache to the database: the instance can
    # serve, so a balancer must not take every instance out because the shared Redis died.
    down = make_app(database_url, tmp_path / "d", RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    response = down.test_client().get("/ready")
    assert (response.status_code, response.get_json()) == (200, {"status": "ready"})


def test_sign_in_still_works_and_is_limited_when_redis_is_down(
    database_url: str, tmp_path: Path
) -> None:
    app = make_app(
        database_url,
        tmp_path / "x",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
        LOGIN_LIMIT_PER_CLIENT="2/minute",
    )
    client = app.test_client()
    attempt = {"username": "nobody", "password": "not it", "device_name": "x"}
    codes = [client.post("/api/v1/auth/login", json=attempt).status_code for _ in range(4)]
    assert 500 not in codes
    assert codes[0] == 401
    assert 429 in codes


def test_a_redis_that_never_answers_neither_hangs_ready_nor_sign_in(
    database_url: str, tmp_path: Path
) -> None:
    # A listening socket that is never accepted: the kernel completes the handshake, then
    # nothing answers, as with a frozen Redis. The client's socket timeout must end each wait.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        app = make_app(
            database_url,
            tmp_path / "s",
            RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0",
            LOGIN_LIMIT_PER_CLIENT="2/minute",
        )
        client = app.test_client()
        ready = client.get("/ready")
        attempt = {"username": "nobody", "password": "not it", "device_name": "x"}
        codes = [client.post("/api/v1/auth/login", json=attempt).status_code for _ in range(3)]
    assert ready.status_code == 200
    assert codes[0] == 401
    assert 429 in codes
