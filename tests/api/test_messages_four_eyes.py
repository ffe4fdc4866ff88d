"""Four eyes: messages are only written and sent from wording a second supervisor approved,
whoever asks (officer, supervisor, admin) and however they sign in (JWT or API key)."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import AuditRecord, Message, Team, TemplateVersion
from fieldapp.services.templates.library import import_library
from tests.factories import create_team, create_user, login
from tests.factories.cases import add_victim, open_case, record_arrest
from tests.factories.messages import add_version, issue_key, write_message
from tests.factories.users import auth

ROLES = ("officer", "supervisor", "admin")
CREDENTIALS = ("jwt", "api_key")
UNREVIEWED = ("draft", "submitted", "rejected")
KEY = "arrested-sms-en"


@pytest.fixture
def team(session: Session) -> Team:
    """The team, with the built-in template library published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    return create_team(session, name="Eastgate")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """The officer in charge's token."""
    create_user(app, session, username="pc.case", team=team)
    return str(login(client, "pc.case")["access_token"])


def caller(
    app: Flask, client: FlaskClient, session: Session, team: Team, role: str, kind: str
) -> str:
    """A credential of the given kind for a new user with the given role in the team."""
    user = create_user(app, session, username=f"{role}.{kind}", role=role, team=team)
    if kind == "api_key":
        return issue_key(session, user, ["messages:read", "messages:write"])
    return str(login(client, user.username)["access_token"])


def victim_on_new_case(client: FlaskClient, officer: str) -> tuple[str, str]:
    """A case with an arrest and a victim who takes SMS in English: (case id, victim id)."""
    case_id = open_case(client, officer)
    record_arrest(client, officer, case_id)
    return case_id, add_victim(client, officer, case_id)


def denials(session: Session) -> list[tuple[str, str | None]]:
    """The denied audit records: (outcome, reason)."""
    session.expire_all()
    records = session.scalars(select(AuditRecord).where(AuditRecord.outcome == "denied"))
    return [(r.operation, r.reason) for r in records]


@pytest.mark.parametrize("status", UNREVIEWED)
@pytest.mark.parametrize("kind", CREDENTIALS)
@pytest.mark.parametrize("role", ROLES)
def test_nobody_writes_from_an_unreviewed_version_by_pinning_it(
    app: Flask,
    client: FlaskClient,
    session: Session,
    team: Team,
    officer: str,
    role: str,
    kind: str,
    status: str,
) -> None:
    case_id, victim_id = victim_on_new_case(client, officer)
    number = add_version(session, KEY, status=status)
    credential = caller(app, client, session, team, role, kind)

    response = write_message(
        client, credential, case_id, victim_id=victim_id, template_key=KEY, template_version=number
    )

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["code"] == "version_not_published"
    assert "template_version" in response.get_json()["errors"]
    assert session.scalar(select(func.count()).select_from(Message)) == 0
    assert denials(session) == [("combination", f"version_not_published: {KEY} v{number}")]


def test_a_formerly_published_version_may_still_be_pinned(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id, victim_id = victim_on_new_case(client, officer)
    number = add_version(session, KEY, status="published", suffix=" SECOND WORDING")

    pinned = write_message(
        client, officer, case_id, victim_id=victim_id, template_key=KEY, template_version=1
    )
    current = write_message(client, officer, case_id, victim_id=victim_id, template_key=KEY)

    assert pinned.status_code == 201, pinned.get_json()
    assert pinned.get_json()["template_version"] == 1
    assert "SECOND WORDING" not in pinned.get_json()["body"]
    assert current.get_json()["template_version"] == number
    assert current.get_json()["body"].endswith("SECOND WORDING")
    assert denials(session) == []


def _unreviewed_message(session: Session, message_id: str, status: str) -> None:
    """Point a drafted message at an unreviewed version, as a write before the fix could."""
    number = add_version(session, KEY, status=status)
    message = session.get(Message, uuid.UUID(message_id))
    assert message is not None
    version = session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.template_id
            == select(TemplateVersion.template_id)
            .where(TemplateVersion.id == message.template_version_id)
            .scalar_subquery(),
            TemplateVersion.number == number,
        )
    ).one()
    message.template_version_id, message.template_version = version.id, number
    session.commit()


@pytest.mark.parametrize("status", UNREVIEWED)
@pytest.mark.parametrize("action", ["send", "sent"])
def test_a_message_from_an_unreviewed_version_is_never_sent_or_confirmed(
    app: Flask, client: FlaskClient, session: Session, officer: str, action: str, status: str
) -> None:
    app.config["MESSAGE_PROVIDER"] = "notify" if action == "send" else "manual"
    case_id, victim_id = victim_on_new_case(client, officer)
    written = write_message(client, officer, case_id, victim_id=victim_id, template_key=KEY)
    message_id = written.get_json()["id"]
    _unreviewed_message(session, message_id, status)

    response = client.post(
        f"/api/v1/messages/{message_id}/{action}", json={}, headers=auth(officer)
    )

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["code"] == "version_not_published"
    session.expire_all()
    stored = session.get(Message, uuid.UUID(message_id))
    assert stored is not None and stored.status == "drafted" and stored.sent_at is None
    assert denials(session) == [("disclosure", "version_not_published: version not reviewed")]
