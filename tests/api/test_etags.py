"""If-Match under contention: of many PATCHes sent with one ETag, exactly one wins."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from fieldapp.models import Case, User, Victim
from tests.factories import bearer, create_user, login
from tests.factories.cases import open_case

REFERENCE = "42/7001/26"

WRITERS = 8


def _arrange_case(app: Flask, client: FlaskClient, session: Session) -> tuple[str, str, Any]:
    create_user(app, session, username="pc.race")
    token = login(client, "pc.race")["access_token"]
    return (
        token,
        f"/api/v1/cases/{open_case(client, token, REFERENCE)}",
        lambda n: {"offence": f"Offence {n}"},
    )


def _arrange_victim(app: Flask, client: FlaskClient, session: Session) -> tuple[str, str, Any]:
    create_user(app, session, username="pc.race")
    token = login(client, "pc.race")["access_token"]
    body = {"first_name": "Sam", "last_name": "Jones", "phone": "07700 900123"}
    body |= {"preferred_channel": "sms", "safe_channels": ["sms"]}
    response = client.post(
        f"/api/v1/cases/{open_case(client, token, REFERENCE)}/victims",
        json=body,
        headers=bearer(token),
    )
    assert response.status_code == 201, response.get_json()
    url = f"/api/v1/victims/{response.get_json()['id']}"
    return token, url, lambda n: {"first_name": f"Name{n}"}


def _arrange_user(app: Flask, client: FlaskClient, session: Session) -> tuple[str, str, Any]:
    create_user(app, session, username="admin.race", role="admin")
    target = create_user(app, session, username="pc.target")
    token = login(client, "admin.race")["access_token"]
    return token, f"/api/v1/users/{target.id}", lambda n: {"display_name": f"Officer {n}"}


Arrange = Callable[[Flask, FlaskClient, Session], tuple[str, str, Callable[[int], dict[str, Any]]]]


@pytest.mark.parametrize(
    ("arrange", "model"),
    [(_arrange_case, Case), (_arrange_victim, Victim), (_arrange_user, User)],
    ids=["case", "victim", "user"],
)
def test_concurrent_patches_with_one_etag_give_one_200_and_the_rest_412(
    app: Flask, client: FlaskClient, session: Session, arrange: Arrange, model: type[Any]
) -> None:
    token, url, change = arrange(app, client, session)
    etag = client.get(url, headers=bearer(token)).headers["ETag"]
    barrier = threading.Barrier(WRITERS)
    results: dict[int, tuple[int, Any]] = {}

    def write(n: int) -> None:
        own = app.test_client()
        barrier.wait()
        response = own.patch(url, json=change(n), headers={**bearer(token), "If-Match": etag})
        results[n] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200] + [412] * (WRITERS - 1), results
    winner = next(n for n, (status, _) in results.items() if status == 200)
    assert all(body["code"] == "precondition_failed" for s, body in results.values() if s == 412)
    session.expire_all()
    stored = session.get(model, uuid.UUID(url.rsplit("/", 1)[1]))
    assert stored is not None
    assert stored.version == int(etag.strip('"')) + 1
    field, value = next(iter(change(winner).items()))
    assert getattr(stored, field) == value
