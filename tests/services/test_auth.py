"""Refresh-token rotation under concurrency, on the real database."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from tests.factories import bearer, create_user, login


def test_concurrent_refreshes_with_one_token_let_exactly_one_through(
    app: Flask, session: Session
) -> None:
    create_user(app, session, username="pc.race")
    tokens = login(app.test_client(), "pc.race")
    barrier = threading.Barrier(4)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses)[0] in (200, 401)
    assert statuses.count(200) <= 1
    assert len(statuses) == 4
    # However the race went, the spent token can never be spent again.
    again: Any = app.test_client().post(
        "/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])
    )
    assert again.status_code == 401
