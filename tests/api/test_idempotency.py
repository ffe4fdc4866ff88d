"""Idempotent replays read the created resource again, in scope and audited; atomic takeovers."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import (
    AuditRecord,
    Case,
    IdempotencyRecord,
    InvestigationEvent,
    Message,
    Team,
    User,
)
from fieldapp.models.base import utcnow
from fieldapp.services import idempotency
from fieldapp.services.idempotency import ABANDONED_AFTER, REPLAY_REASON
from fieldapp.services.templates.library import import_library
from tests.factories import bearer, create_team, create_user, login
from tests.services.test_idempotency import gate_takeovers

OCCURRED = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
VICTIM = {
    "first_name": "Priya",
    "last_name": "Shah",
    "phone": "07700 900123",
    "email": "priya@example.org",
    "preferred_channel": "sms",
    "safe_channels": ["sms", "email"],
}


@pytest.fixture
def team(session: Session) -> Team:
    """The officer's team, with the built-in template library published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    return create_team(session, name="Eastgate")


@pytest.fixture
def officer(app: Flask, session: Session, team: Team) -> User:
    """An officer in the team."""
    return create_user(app, session, username="pc.replay", team=team, display_name="Sam Lee")


@pytest.fixture
def token(client: FlaskClient, officer: User) -> str:
    """The officer's access token."""
    return str(login(client, "pc.replay")["access_token"])


def _post(client: FlaskClient, token: str, path: str, body: Any, key: str | None = None) -> Any:
    headers = {**bearer(token), **({"Idempotency-Key": key} if key else {})}
    return client.post(f"/api/v1{path}", json=body, headers=headers)


def _case(client: FlaskClient, token: str, key: str | None = None) -> Any:
    body = {"crime_reference": "42/5151/26", "offence": "Burglary of a home"}
    return _post(client, token, "/cases", body, key)


def _created(response: Any) -> str:
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def _replays(session: Session) -> list[tuple[str, str | None, str]]:
    session.expire_all()
    found = session.scalars(
        select(AuditRecord).where(AuditRecord.reason == REPLAY_REASON).order_by(AuditRecord.seq)
    )
    return [(r.resource_type, r.resource_id, r.outcome) for r in found]


def test_a_replay_returns_the_case_as_it_is_now_and_is_audited_as_a_read(
    client: FlaskClient, session: Session, token: str
) -> None:
    first = _case(client, token, "case-1")
    case_id = _created(first)
    changed = client.patch(
        f"/api/v1/cases/{case_id}",
        json={"offence": "Aggravated burglary"},
        headers={**bearer(token), "If-Match": first.headers["ETag"]},
    )
    assert changed.status_code == 200

    again = _case(client, token, "case-1")

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == changed.get_json()
    assert again.headers["ETag"] == '"2"'
    assert session.scalar(select(func.count()).select_from(Case)) == 1
    reads = session.scalars(
        select(AuditRecord).where(
            AuditRecord.resource_id == case_id, AuditRecord.operation == "consultation"
        )
    ).all()
    assert [(r.reason, r.outcome) for r in reads] == [(None, "allowed"), (REPLAY_REASON, "allowed")]
    stored = session.scalars(select(IdempotencyRecord)).one()
    assert (stored.resource_type, stored.resource_id, stored.response_status) == (
        "case",
        case_id,
        201,
    )


def test_a_replay_after_the_caller_lost_access_to_the_case_is_a_404_audited_as_denied(
    client: FlaskClient, session: Session, token: str
) -> None:
    case_id = _created(_case(client, token, "case-2"))
    case = session.get(Case, uuid.UUID(case_id))
    assert case is not None
    case.team_id = create_team(session, name="Elsewhere").id
    session.commit()

    again = _case(client, token, "case-2")

    assert again.status_code == 404
    assert again.get_json()["code"] == "not_found"
    assert again.mimetype == "application/problem+json"
    assert "42/5151/26" not in again.get_data(as_text=True)
    assert _replays(session) == [("case", case_id, "denied")]
    denied = session.scalars(
        select(AuditRecord).where(AuditRecord.resource_id == case_id, AuditRecord.reason.is_(None))
    ).all()
    assert [r.outcome for r in denied][-1] == "denied"


def test_a_replay_of_an_erased_victims_create_is_a_404_without_their_data(
    client: FlaskClient, session: Session, token: str
) -> None:
    case_id = _created(_case(client, token))
    first = _post(client, token, f"/cases/{case_id}/victims", VICTIM, "victim-1")
    victim_id = _created(first)
    erased = client.delete(
        f"/api/v1/victims/{victim_id}", headers={**bearer(token), "If-Match": '"1"'}
    )
    assert erased.status_code == 204

    again = _post(client, token, f"/cases/{case_id}/victims", VICTIM, "victim-1")

    assert again.status_code == 404
    text = again.get_data(as_text=True)
    assert "Priya" not in text and "900123" not in text
    assert _replays(session) == [("victim", victim_id, "denied")]
    assert session.scalars(select(IdempotencyRecord.resource_id)).all() == [victim_id]


def test_a_replayed_message_write_after_erasure_shows_it_redacted(
    client: FlaskClient, session: Session, token: str
) -> None:
    case_id = _created(_case(client, token))
    victim_id = _created(_post(client, token, f"/cases/{case_id}/victims", VICTIM))
    _created(_post(client, token, f"/cases/{case_id}/events",
                   {"type": "arrested", "occurred_at": OCCURRED}))  # fmt: skip
    write = {"victim_id": victim_id, "template_key": "arrested-sms-en"}
    first = _post(client, token, f"/cases/{case_id}/messages", write, "message-1")
    message_id = _created(first)
    assert "Priya" in first.get_json()["body"]
    client.delete(f"/api/v1/victims/{victim_id}", headers={**bearer(token), "If-Match": '"1"'})

    again = _post(client, token, f"/cases/{case_id}/messages", write, "message-1")

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    body = again.get_json()
    assert (body["id"], body["erased"], body["group_message_ids"]) == (
        message_id,
        True,
        [message_id],
    )
    assert "recipient" not in body and "body" not in body
    assert "Priya" not in again.get_data(as_text=True)
    assert _replays(session) == [("message", message_id, "allowed")]
    assert session.scalar(select(func.count()).select_from(Message)) == 1


def test_a_key_finished_before_replays_were_read_again_is_410_gone(
    client: FlaskClient, session: Session, officer: User, token: str
) -> None:
    body = {"crime_reference": "42/5151/26", "offence": "Burglary of a home"}
    now = utcnow()
    legacy = IdempotencyRecord(
        user_id=officer.id,
        key="old-key",
        fingerprint=idempotency.fingerprint("POST", "/api/v1/cases", body),
        status="done",
        owner=uuid.uuid4(),
        response_status=201,
        created_at=now,
        expires_at=now + timedelta(days=7),
    )
    session.add(legacy)
    session.commit()

    again = _case(client, token, "old-key")

    assert again.status_code == 410
    assert again.get_json()["code"] == "replay_gone"
    assert session.scalar(select(func.count()).select_from(Case)) == 0
    assert _replays(session) == [("idempotency_key", str(legacy.id), "failed")]


def _abandon(session: Session, officer: User, path: str, body: Any, key: str) -> None:
    """An in-progress key whose holder died: older than the takeover cutoff."""
    then = utcnow() - ABANDONED_AFTER - timedelta(minutes=1)
    session.add(
        IdempotencyRecord(
            user_id=officer.id,
            key=key,
            fingerprint=idempotency.fingerprint("POST", f"/api/v1{path}", body),
            status="in_progress",
            owner=uuid.uuid4(),
            created_at=then,
            expires_at=then + timedelta(days=7),
        )
    )
    session.commit()


def _retry_together(app: Flask, token: str, path: str, body: Any, key: str) -> list[Any]:
    """Eight retries of one create, released at once."""
    barrier = threading.Barrier(8)
    responses: list[Any] = []
    lock = threading.Lock()

    def retry() -> None:
        with app.test_client() as own:
            barrier.wait()
            response = _post(own, token, path, body, key)
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(responses) == 8
    return responses


def _one_creation(responses: list[Any]) -> None:
    """Exactly one retry took the key over and created; the seven others were refused."""
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert all("Idempotent-Replayed" not in r.headers for r in responses)
    assert {r.get_json()["code"] for r in responses if r.status_code == 409} == {"conflict"}


def test_concurrent_retries_after_a_dead_holder_record_one_event(
    app: Flask, session: Session, officer: User, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    case_id = _created(_case(client, token))
    path, body = f"/cases/{case_id}/events", {"type": "arrested", "occurred_at": OCCURRED}
    _abandon(session, officer, path, body, "event-after-crash")

    gate_takeovers(monkeypatch, 8)  # all eight have read the dead holder's key before any acts
    responses = _retry_together(app, token, path, body, "event-after-crash")

    _one_creation(responses)
    assert session.scalar(select(func.count()).select_from(InvestigationEvent)) == 1
    stored = session.scalars(select(IdempotencyRecord)).one()
    assert (stored.status, stored.resource_type) == ("done", "event")


def test_concurrent_retries_after_a_dead_holder_write_one_message(
    app: Flask, session: Session, officer: User, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    case_id = _created(_case(client, token))
    victim_id = _created(_post(client, token, f"/cases/{case_id}/victims", VICTIM))
    _created(_post(client, token, f"/cases/{case_id}/events",
                   {"type": "arrested", "occurred_at": OCCURRED}))  # fmt: skip
    path = f"/cases/{case_id}/messages"
    body = {"victim_id": victim_id, "template_key": "arrested-sms-en"}
    _abandon(session, officer, path, body, "message-after-crash")

    gate_takeovers(monkeypatch, 8)
    responses = _retry_together(app, token, path, body, "message-after-crash")

    _one_creation(responses)
    assert session.scalar(select(func.count()).select_from(Message)) == 1
