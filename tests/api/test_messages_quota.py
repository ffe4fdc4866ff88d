"""The per-officer send quota is exact across app instances: it is counted in the database."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import AuditRecord, Message, Team
from fieldapp.services.templates.library import import_library
from tests.conftest import make_app
from tests.factories import bearer, create_team, create_user, login
from tests.factories.cases import add_victim, open_case, record_arrest
from tests.factories.messages import write_message

QUOTA = "3/hour"


@pytest.fixture
def team(session: Session) -> Team:
    """The team, with the built-in template library published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    return create_team(session, name="Hillside")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """A signed-in officer's token (valid on every instance: they share their secrets)."""
    create_user(app, session, username="pc.quota", team=team)
    return str(login(client, "pc.quota")["access_token"])


@pytest.fixture
def instances(app: Flask, database_url: str, tmp_path: Path) -> list[Flask]:
    """Two app instances on the one database, each with its own in-memory rate-limit store."""
    app.config["MESSAGE_QUOTA"] = QUOTA
    other = make_app(database_url, tmp_path / "other", MESSAGE_QUOTA=QUOTA)
    return [app, other]


def drafted(client: FlaskClient, officer: str, count: int) -> list[str]:
    """``count`` drafted messages to one victim; their ids."""
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)
    record_arrest(client, officer, case_id)
    ids = []
    for _ in range(count):
        response = write_message(
            client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en"
        )
        assert response.status_code == 201, response.get_json()
        ids.append(str(response.get_json()["id"]))
    return ids


def confirm(app: Flask, officer: str, message_id: str) -> Any:
    """Confirm a manual send on one instance."""
    with app.test_client() as client:
        return client.post(f"/api/v1/messages/{message_id}/sent", json={}, headers=bearer(officer))


def test_two_instances_together_allow_no_more_than_the_quota(
    client: FlaskClient, session: Session, officer: str, instances: list[Flask]
) -> None:
    ids = drafted(client, officer, 5)

    responses = [confirm(instances[i % 2], officer, m) for i, m in enumerate(ids)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    refused = responses[3]
    assert refused.get_json()["code"] == "rate_limited"
    assert refused.mimetype == "application/problem+json"
    assert 3500 <= int(refused.headers["Retry-After"]) <= 3600
    assert session.scalar(select(func.count()).where(Message.status == "sent")) == 3
    denied = session.scalars(
        select(AuditRecord).where(AuditRecord.outcome == "denied").order_by(AuditRecord.seq)
    ).all()
    assert [(d.resource_id, d.reason) for d in denied] == [
        (ids[3], f"send_quota: {QUOTA}"),
        (ids[4], f"send_quota: {QUOTA}"),
    ]


def test_concurrent_sends_on_two_instances_are_counted_one_after_another(
    client: FlaskClient, session: Session, officer: str, instances: list[Flask]
) -> None:
    ids = drafted(client, officer, 6)
    start = threading.Barrier(len(ids))
    statuses: list[int] = []

    def tap(index: int, message_id: str) -> None:
        start.wait()
        statuses.append(confirm(instances[index % 2], officer, message_id).status_code)

    threads = [threading.Thread(target=tap, args=item) for item in enumerate(ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 200, 200, 429, 429, 429]
    session.expire_all()
    assert session.scalar(select(func.count()).where(Message.status == "sent")) == 3


def test_queueing_for_notify_counts_against_the_same_quota(
    client: FlaskClient, session: Session, officer: str, instances: list[Flask]
) -> None:
    for instance in instances:
        instance.config["MESSAGE_PROVIDER"] = "notify"
    ids = drafted(client, officer, 4)

    statuses = []
    for index, message_id in enumerate(ids):
        with instances[index % 2].test_client() as own:
            response = own.post(f"/api/v1/messages/{message_id}/send", headers=bearer(officer))
            statuses.append(response.status_code)
    repeat = client.post(f"/api/v1/messages/{ids[0]}/send", headers=bearer(officer))

    assert statuses == [202, 202, 202, 429]
    assert repeat.status_code == 202  # a retry of a queued message is not a new send
    assert session.scalar(select(func.count()).where(Message.status == "queued")) == 3
