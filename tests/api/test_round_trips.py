"""Round trips per endpoint: the statements each busy endpoint sends, pinned so they cannot creep.

Counted with ``fieldapp.statement_counts`` on the request's session engine (the case data and
the audit) and, apart, on the autocommit engine (who is calling: issue 14, point 1).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.database import get_database
from fieldapp.models import AuditRecord, InvestigationEvent, Message, Team
from fieldapp.services.templates.library import import_library
from fieldapp.statement_counts import AUTOCOMMIT, StatementLog, app_engines, counting
from tests.factories import auth, create_team, create_user, login
from tests.factories.cases import add_victim_body, arrest_duty, open_case, record_arrest
from tests.factories.messages import write_message

#: The principal look-up on the autocommit engine, per request (point 1 of issue 14 owns it).
PRINCIPAL = 1
#: A replay: the key (one upsert), the message through the GET's own read, its audit record and
#: the replay's.
REPLAY_STATEMENTS = 4


@pytest.fixture
def team(session: Session) -> Team:
    """The officer's team, with the built-in template library published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    return create_team(session, name="Round Trips")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """A signed-in officer's token."""
    create_user(app, session, username="pc.trips", team=team, display_name="Sam Ashworth")
    return str(login(client, "pc.trips")["access_token"])


@pytest.fixture
def log(app: Flask) -> Iterator[StatementLog]:
    """What the app's engines send during the test (cleared before each measured request)."""
    with counting(app_engines(get_database(app))) as statements:
        yield statements


@pytest.fixture
def arrested_case(client: FlaskClient, officer: str) -> tuple[str, str]:
    """A case with an SMS-only victim and an arrest: the ids of the case and the victim."""
    case_id = open_case(client, officer)
    victim_id = str(add_victim_body(client, officer, case_id)["id"])
    record_arrest(client, officer, case_id)
    return case_id, victim_id


def _shown(log: StatementLog) -> str:
    """Every statement counted, for a failing assertion's message."""
    return "\n".join(f"{label}: {sql}" for label, e in log.engines.items() for sql in e.statements)


def _verbs(log: StatementLog) -> list[str]:
    """The first words of the session engine's statements and the tables they write, in order."""
    return [" ".join(sql.split()[:3]) if sql.startswith("INSERT") else sql.split()[0]
            for sql in log.engines["session"].statements]  # fmt: skip


def _write(client: FlaskClient, officer: str, case: tuple[str, str], **headers: str) -> Any:
    """The benchmark's message write: the published arrest update for the SMS victim."""
    case_id, victim_id = case
    return write_message(
        client, officer, case_id, headers=headers, victim_id=victim_id,
        template_key="arrested-sms-en",
    )  # fmt: skip


def test_message_write_reads_once_and_inserts_message_and_audit(
    client: FlaskClient,
    officer: str,
    arrested_case: tuple[str, str],
    log: StatementLog,
    session: Session,
) -> None:
    log.clear()

    response = _write(client, officer, arrested_case)

    assert response.status_code == 201, response.get_json()
    # Case, victim, duty, next update and variants in one SELECT; the event it tells of; the
    # message; its audit record. One commit, no rollback.
    assert _verbs(log) == [
        "SELECT",
        "SELECT",
        "INSERT INTO messages",
        "INSERT INTO audit_records",
    ], _shown(log)
    assert (log.commits(), log.engines["session"].rollbacks) == (1, 0)
    assert log.statements(AUTOCOMMIT) == PRINCIPAL, _shown(log)
    assert session.scalar(select(func.count()).select_from(Message)) == 1
    combined = session.scalars(
        select(AuditRecord.resource_id).where(AuditRecord.operation == "combination")
    ).all()
    assert combined == [arrested_case[1]]


def test_message_write_for_a_duty_reads_the_duty_and_its_event_in_the_same_select(
    client: FlaskClient,
    officer: str,
    arrested_case: tuple[str, str],
    log: StatementLog,
    session: Session,
) -> None:
    case_id, victim_id = arrested_case
    duty = arrest_duty(client, officer, case_id)
    log.clear()

    response = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en",
        duty_id=duty["id"],
    )  # fmt: skip

    assert response.status_code == 201, response.get_json()
    # The duty's own event is the one the message tells of: nothing more to read.
    assert _verbs(log) == [
        "SELECT",
        "INSERT INTO messages",
        "INSERT INTO audit_records",
    ], _shown(log)
    assert log.commits() == 1
    stored = session.get(Message, uuid.UUID(response.get_json()["id"]))
    assert stored is not None and str(stored.duty_id) == duty["id"]
    assert stored.event_id is not None


def test_message_write_with_a_new_key_claims_it_first_and_records_it_last(
    client: FlaskClient, officer: str, arrested_case: tuple[str, str], log: StatementLog
) -> None:
    log.clear()

    response = _write(client, officer, arrested_case, **{"Idempotency-Key": str(uuid.uuid4())})

    assert response.status_code == 201, response.get_json()
    # The claim commits on its own, so that a retry meanwhile sees the key in progress.
    assert _verbs(log) == [
        "INSERT INTO idempotency_keys",
        "SELECT",
        "SELECT",
        "INSERT INTO messages",
        "INSERT INTO audit_records",
        "UPDATE",
    ], _shown(log)
    assert log.commits() == 2


def test_message_replay_reads_the_key_and_the_message_and_audits_both(
    client: FlaskClient,
    officer: str,
    arrested_case: tuple[str, str],
    log: StatementLog,
    session: Session,
) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = _write(client, officer, arrested_case, **key)
    log.clear()

    replay = _write(client, officer, arrested_case, **key)

    assert replay.status_code == 201, replay.get_json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json()["id"] == first.get_json()["id"]
    assert log.statements() == REPLAY_STATEMENTS, _shown(log)
    assert log.statements(AUTOCOMMIT) == PRINCIPAL
    assert session.scalar(select(func.count()).select_from(Message)) == 1
    reasons = session.scalars(
        select(AuditRecord.reason).where(
            AuditRecord.resource_type == "message", AuditRecord.operation == "consultation"
        )
    ).all()
    assert sorted(reasons, key=str) == sorted([None, "Idempotent replay of a create."], key=str)


def test_event_recording_reads_once_and_inserts_event_duties_and_audit(
    client: FlaskClient,
    officer: str,
    arrested_case: tuple[str, str],
    log: StatementLog,
    session: Session,
) -> None:
    case_id, _victim_id = arrested_case
    occurred = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    log.clear()

    response = client.post(
        f"/api/v1/cases/{case_id}/events",
        json={"type": "arrested", "occurred_at": occurred},
        headers=auth(officer),
    )

    assert response.status_code == 201, response.get_json()
    # The case, its victims and its timeline in one SELECT; the event; its duties; the audit
    # records of both in one INSERT.
    assert _verbs(log) == [
        "SELECT",
        "INSERT INTO investigation_events",
        "INSERT INTO contact_duties",
        "INSERT INTO audit_records",
    ], _shown(log)
    assert log.commits() == 1
    assert log.statements(AUTOCOMMIT) == PRINCIPAL
    event_id = response.get_json()["id"]
    assert session.get(InvestigationEvent, uuid.UUID(event_id)) is not None
    collected = session.scalars(
        select(AuditRecord.resource_type).where(AuditRecord.operation == "collection")
    ).all()
    assert collected.count("event") == 2 and collected.count("duty") >= 2


def test_case_read_reads_once_and_audits_once(
    client: FlaskClient, officer: str, arrested_case: tuple[str, str], log: StatementLog
) -> None:
    log.clear()

    response = client.get(f"/api/v1/cases/{arrested_case[0]}", headers=auth(officer))

    assert response.status_code == 200, response.get_json()
    assert _verbs(log) == ["SELECT", "INSERT INTO audit_records"], _shown(log)
    assert log.commits() == 1
    assert log.statements(AUTOCOMMIT) == PRINCIPAL
