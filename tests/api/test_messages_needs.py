"""The recipient's needs change the template and the channel: easy read, large print and
braille, interpreters; and a need that arrives after a message was written voids it at send."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import Message, MessageTemplate, Team, TemplateVersion
from fieldapp.services.templates.library import import_library
from tests.factories import bearer, create_team, create_user, login
from tests.factories.cases import add_victim, open_case, record_arrest
from tests.factories.messages import write_message

KEY = "arrested-sms-en"
EASY = "arrested-sms-en-easy-read"
ADDRESS = ["Alex Morgan", "3 Quillon Mews", "Tumbledown", "CF10 1AA"]


def _publish_easy_read(session: Session) -> None:
    """An easy-read English SMS arrest update, published beside the standard one."""
    original = session.scalars(select(MessageTemplate).where(MessageTemplate.key == KEY)).one()
    easy = MessageTemplate(
        key=EASY, family=original.family, channel="sms", language="en", format="easy_read",
        event_type=original.event_type, name="Arrest update (easy read)", published_number=1,
        latest_number=1,
    )  # fmt: skip
    session.add(easy)
    session.flush()
    body = (
        "Easy read. We arrested someone. Your crime number is {{ case.crime_reference }}. "
        "Call {{ officer.name }} on {{ officer.contact_phone }}."
    )
    session.add(
        TemplateVersion(
            template_id=easy.id, number=1, status="published", body=body,
            fields=["case.crime_reference", "officer.name", "officer.contact_phone"],
            content_hash=hashlib.sha256(body.encode()).hexdigest(),
        )
    )  # fmt: skip
    session.commit()


@pytest.fixture
def team(session: Session) -> Team:
    """The team, with the built-in library published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    return create_team(session, name="Eastmoor")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """The officer in charge's token."""
    create_user(app, session, username="pc.needs", team=team)
    return str(login(client, "pc.needs")["access_token"])


def _write(client: FlaskClient, officer: str, key: str, **victim: object) -> tuple[str, object]:
    case_id = open_case(client, officer)
    record_arrest(client, officer, case_id)
    victim_id = add_victim(client, officer, case_id, **victim)
    return victim_id, write_message(client, officer, case_id, victim_id=victim_id, template_key=key)


def test_an_easy_read_reader_gets_the_easy_read_variant(
    client: FlaskClient, session: Session, officer: str
) -> None:
    _publish_easy_read(session)
    _, response = _write(client, officer, KEY, accessible_format="easy_read")
    assert response.status_code == 201, response.get_json()  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert (body["template_key"], body["requested_template_key"]) == (EASY, KEY)
    assert body["variant_reason"] == "format:easy_read"
    assert body["body"].startswith("Easy read.")
    stored = session.get(Message, uuid.UUID(body["id"]))
    assert stored is not None and stored.template_key == EASY


def test_others_keep_the_standard_template_when_an_easy_read_one_exists(
    client: FlaskClient, session: Session, officer: str
) -> None:
    _publish_easy_read(session)
    _, response = _write(client, officer, KEY)
    assert response.get_json()["template_key"] == KEY  # type: ignore[attr-defined]


def test_no_published_easy_read_variant_is_409_naming_what_to_publish(
    client: FlaskClient, officer: str
) -> None:
    _, response = _write(client, officer, KEY, accessible_format="easy_read")
    assert response.status_code == 409  # type: ignore[attr-defined]
    problem = response.get_json()  # type: ignore[attr-defined]
    assert problem["code"] == "no_accessible_variant"
    assert EASY in problem["errors"]["template_key"][0]


@pytest.mark.parametrize("needed", ["large_print", "braille"])
def test_large_print_and_braille_refuse_texts_and_emails_and_say_write_a_letter(
    client: FlaskClient, session: Session, officer: str, needed: str
) -> None:
    for key in (KEY, "arrested-email-en"):
        _, response = _write(client, officer, key, accessible_format=needed, postal_address=ADDRESS)
        assert response.status_code == 409  # type: ignore[attr-defined]
        problem = response.get_json()  # type: ignore[attr-defined]
        assert problem["code"] == "needs_accessible_format"
        assert "letter" in problem["detail"]
    assert session.scalar(select(Message.id).limit(1)) is None


def test_someone_who_needs_an_interpreter_is_not_written_to_in_english(
    client: FlaskClient, session: Session, officer: str
) -> None:
    _, response = _write(client, officer, KEY, interpreter_language="pl")
    assert response.status_code == 409  # type: ignore[attr-defined]
    problem = response.get_json()  # type: ignore[attr-defined]
    assert problem["code"] == "needs_interpreter"
    assert "Polish interpreter" in problem["detail"]
    assert session.scalar(select(Message.id).limit(1)) is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"opted_out_at": "2026-01-05T10:00:00Z", "opted_out_how": "phone"}, "no more updates"),
        ({"interpreter_language": "ro"}, "Romanian interpreter"),
    ],
)
def test_a_need_recorded_after_writing_voids_the_message_at_send(
    client: FlaskClient, session: Session, officer: str, change: dict[str, str], reason: str
) -> None:
    victim_id, response = _write(client, officer, KEY)
    message_id = response.get_json()["id"]  # type: ignore[attr-defined]
    headers = {**bearer(officer), "If-Match": '"1"'}
    patched = client.patch(f"/api/v1/victims/{victim_id}", json=change, headers=headers)
    assert patched.status_code == 200, patched.get_json()

    sent = client.post(f"/api/v1/messages/{message_id}/sent", json={}, headers=bearer(officer))

    assert sent.status_code == 409
    assert reason in sent.get_json()["detail"]
    session.expire_all()
    stored = session.get(Message, uuid.UUID(message_id))
    assert stored is not None and stored.status == "void"
