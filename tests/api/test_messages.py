"""Writing, sending and confirming victim-update messages through the API."""

from __future__ import annotations

import dataclasses
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
    ContactDuty,
    Message,
    OutboxItem,
    Team,
    TemplateVersion,
)
from fieldapp.services.templates.library import import_library
from tests.factories import bearer, create_team, create_user, login
from tests.factories.cases import add_victim, arrest_duty, open_case, record_arrest
from tests.factories.messages import write_message


@pytest.fixture
def team(session: Session) -> Team:
    """The officer's team, with the built-in template library published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    return create_team(session, name="Westfield Response")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """A signed-in officer's token."""
    create_user(
        app, session, username="pc.msg", team=team, display_name="Sam Ashworth", rank="PC",
        phone="+442079460127",
    )  # fmt: skip
    return str(login(client, "pc.msg")["access_token"])


def test_officer_writes_the_arrest_update_from_the_published_template(
    client: FlaskClient, officer: str, session: Session
) -> None:
    case_id = open_case(client, officer, "42/8888/26")
    victim_id = add_victim(client, officer, case_id)
    record_arrest(client, officer, case_id)
    duty = arrest_duty(client, officer, case_id)

    response = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en",
        duty_id=duty["id"],
    )  # fmt: skip

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "drafted"
    assert body["template_key"] == "arrested-sms-en"
    assert body["template_version"] == 1
    assert body["recipient"] == "+447700900123"
    assert "Dear Priya" in body["body"]
    assert "42/8888/26" in body["body"]
    assert "PC Sam Ashworth, on 020 7946 0127" in body["body"]
    assert body["lint"]["ok"] is True
    assert body["group_message_ids"] == [body["id"]]
    stored = session.get(Message, uuid.UUID(body["id"]))
    assert stored is not None
    version = session.get(TemplateVersion, stored.template_version_id)
    assert version is not None and version.number == 1 and version.status == "published"
    assert stored.duty_id is not None and len(stored.merge_hash) == 64
    assert stored.ruleset_version == duty["ruleset_version"]
    combined = session.scalars(
        select(AuditRecord).where(AuditRecord.operation == "combination")
    ).all()
    assert [record.resource_id for record in combined] == [victim_id]


def test_confirming_a_manual_send_meets_the_duty_on_time_with_the_message_as_evidence(
    client: FlaskClient, officer: str, session: Session
) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)
    record_arrest(client, officer, case_id)
    duty = arrest_duty(client, officer, case_id)
    message = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en",
        duty_id=duty["id"],
    ).get_json()  # fmt: skip

    sent = client.post(f"/api/v1/messages/{message['id']}/sent", json={}, headers=bearer(officer))
    again = client.post(f"/api/v1/messages/{message['id']}/sent", json={}, headers=bearer(officer))

    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["status"] == "sent"
    assert sent.get_json()["provider"] == "manual"
    assert again.status_code == 200
    assert again.get_json()["sent_at"] == sent.get_json()["sent_at"]
    met = arrest_duty(client, officer, case_id)
    assert met["status"] == "met"
    assert met["message_id"] == message["id"]
    stored = session.get(ContactDuty, uuid.UUID(duty["id"]))
    assert stored is not None and stored.reason == "Met on time by a message."
    disclosures = session.scalars(
        select(AuditRecord).where(AuditRecord.operation == "disclosure")
    ).all()
    assert [record.resource_id for record in disclosures] == [message["id"]]


def test_a_send_confirmed_after_the_deadline_is_met_late(
    client: FlaskClient, officer: str, session: Session
) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)
    record_arrest(client, officer, case_id, when=datetime.now(UTC) - timedelta(days=20))
    duty = arrest_duty(client, officer, case_id)
    message = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en",
        duty_id=duty["id"],
    ).get_json()  # fmt: skip

    client.post(f"/api/v1/messages/{message['id']}/sent", json={}, headers=bearer(officer))

    stored = session.get(ContactDuty, uuid.UUID(duty["id"]))
    assert stored is not None
    assert stored.status == "met"
    assert stored.reason == "Met late by a message."


def test_a_channel_that_is_not_safe_is_refused(
    client: FlaskClient, officer: str, session: Session
) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(
        client, officer, case_id, preferred_channel="email", safe_channels=["email"]
    )
    record_arrest(client, officer, case_id)

    response = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en"
    )

    assert response.status_code == 409
    assert response.get_json()["code"] == "unsafe_channel"
    assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_a_welsh_speaker_gets_the_welsh_version(client: FlaskClient, officer: str) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id, language="cy")
    record_arrest(client, officer, case_id)

    response = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en"
    )

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["template_key"] == "arrested-sms-cy"
    assert response.get_json()["language"] == "cy"
    assert "Annwyl Priya" in response.get_json()["body"]


def test_no_welsh_version_is_refused_rather_than_sent_in_english(
    client: FlaskClient, officer: str, session: Session
) -> None:
    # Every built-in message has a Welsh version, so publish a local one that has none.
    built_in = {t.key: t for t in load_library(LIBRARY_DIRECTORY)}["interviewed-sms-en"]
    local = dataclasses.replace(
        built_in, key="interviewed-local-sms-en", family="interviewed_local"
    )
    import_library(session, [local])
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id, language="cy")

    response = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="interviewed-local-sms-en"
    )

    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "no_suitable_template"
    assert "Welsh" in problem["detail"]
    assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_a_bilingual_recipient_gets_welsh_and_english_together(
    client: FlaskClient, officer: str, session: Session
) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id, language="bilingual")
    record_arrest(client, officer, case_id)

    response = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en"
    )

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["language"] == "cy"
    assert len(body["group_message_ids"]) == 2
    stored = session.scalars(select(Message).order_by(Message.language)).all()
    assert [m.language for m in stored] == ["cy", "en"]
    assert stored[0].group_id == stored[1].group_id is not None


def test_contentless_contact_uses_the_contentless_variant(
    client: FlaskClient, officer: str
) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id, contentless=True)
    record_arrest(client, officer, case_id)

    response = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en"
    )

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["template_key"] == "contentless-sms-en"
    assert "arrest" not in body["body"].lower()


def test_missing_case_data_is_named_never_left_blank(
    client: FlaskClient, officer: str, session: Session
) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)

    response = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="charged-sms-en"
    )

    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "missing_data"
    assert any(name.startswith("event.") for name in problem["errors"])
    assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_retries_with_one_idempotency_key_make_one_message(
    app: Flask, client: FlaskClient, officer: str, session: Session
) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)
    record_arrest(client, officer, case_id)
    headers = {"Idempotency-Key": "tap-42"}
    results: list[Any] = []

    def tap() -> None:
        with app.test_client() as own:
            results.append(
                write_message(own, officer, case_id, headers, victim_id=victim_id,
                       template_key="arrested-sms-en")
            )  # fmt: skip

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    retry = write_message(
        client, officer, case_id, headers, victim_id=victim_id, template_key="arrested-sms-en"
    )

    assert sorted(r.status_code for r in results) in ([201, 201], [201, 409])
    assert retry.status_code == 201
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert session.scalar(select(func.count()).select_from(Message)) == 1


def test_send_is_refused_when_this_force_sends_by_hand(client: FlaskClient, officer: str) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)
    record_arrest(client, officer, case_id)
    message = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en"
    ).get_json()

    response = client.post(f"/api/v1/messages/{message['id']}/send", headers=bearer(officer))

    assert response.status_code == 409
    assert response.get_json()["code"] == "manual_provider"


def test_send_through_notify_queues_once_in_the_outbox(
    app: Flask, client: FlaskClient, officer: str, session: Session
) -> None:
    app.config["MESSAGE_PROVIDER"] = "notify"
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)
    record_arrest(client, officer, case_id)
    message = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en"
    ).get_json()

    first = client.post(f"/api/v1/messages/{message['id']}/send", headers=bearer(officer))
    second = client.post(f"/api/v1/messages/{message['id']}/send", headers=bearer(officer))
    manual = client.post(f"/api/v1/messages/{message['id']}/sent", json={}, headers=bearer(officer))

    assert first.status_code == second.status_code == 202
    assert first.get_json()["status"] == "queued"
    assert session.scalar(select(func.count()).select_from(OutboxItem)) == 1
    assert manual.status_code == 409


def test_the_send_quota_stops_an_officer_flooding_a_victim(
    app: Flask, client: FlaskClient, officer: str
) -> None:
    app.config["MESSAGE_QUOTA"] = "2/hour"
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)
    record_arrest(client, officer, case_id)
    statuses = []
    for _ in range(3):
        message = write_message(
            client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en"
        ).get_json()
        response = client.post(
            f"/api/v1/messages/{message['id']}/sent", json={}, headers=bearer(officer)
        )
        statuses.append(response.status_code)

    assert statuses == [200, 200, 429]
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["code"] == "rate_limited"


def test_another_teams_officer_cannot_write_or_read_messages(
    app: Flask, client: FlaskClient, officer: str, session: Session
) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)
    record_arrest(client, officer, case_id)
    message = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="arrested-sms-en"
    ).get_json()
    create_user(app, session, username="outsider", team=create_team(session))
    outsider = str(login(client, "outsider")["access_token"])

    write = write_message(
        client, outsider, case_id, victim_id=victim_id, template_key="arrested-sms-en"
    )
    read = client.get(f"/api/v1/messages/{message['id']}", headers=bearer(outsider))
    listed = client.get(f"/api/v1/cases/{case_id}/messages", headers=bearer(outsider))

    assert (write.status_code, read.status_code, listed.status_code) == (404, 404, 404)


def test_messages_are_listed_per_case_and_read_one_by_one(
    client: FlaskClient, officer: str
) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)
    record_arrest(client, officer, case_id)
    written = [
        write_message(client, officer, case_id, victim_id=victim_id, template_key=key).get_json()
        for key in ("arrested-sms-en", "arrested-email-en")
    ]

    listed = client.get(f"/api/v1/cases/{case_id}/messages?limit=1", headers=bearer(officer))
    one = client.get(f"/api/v1/messages/{written[1]['id']}", headers=bearer(officer))

    assert listed.status_code == 200
    assert [m["id"] for m in listed.get_json()["value"]] == [written[0]["id"]]
    assert "nextLink" in listed.get_json()
    assert one.get_json()["subject"]
    assert one.get_json()["channel"] == "email"


def test_a_welsh_contentless_email_recipient_gets_the_welsh_contentless_email(
    client: FlaskClient, officer: str
) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(
        client, officer, case_id, preferred_channel="email", safe_channels=["email"],
        contentless=True, language="cy",
    )  # fmt: skip

    response = write_message(
        client, officer, case_id, victim_id=victim_id, template_key="bailed-email-en"
    )

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["template_key"], body["recipient"]) == (
        "contentless-email-cy",
        "priya@example.org",
    )
    assert body["subject"] == "Ffoniwch Demo Constabulary"
