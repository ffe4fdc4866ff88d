"""Victims through the API: their contact rules, changes, the duties they carry, and erasure
reaching every copy of their personal data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import AuditRecord, Base, ContactDuty, Message, Team, Victim
from fieldapp.services.messages.erasure import ERASED_REASON
from fieldapp.services.templates.library import import_library
from tests.factories import bearer, create_team, create_user, login
from tests.factories.cases import add_victim_body, open_case, post_event

PERSONAL = ("Priya", "Shah", "900123", "priya@example.org", "side gate")
REFERENCE = "42/5555/26"
OCCURRED = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def team(session: Session) -> Team:
    """The officer's team, with the built-in template library published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    return create_team(session, name="Northgate")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """A signed-in officer's token."""
    create_user(app, session, username="pc.erase", team=team, display_name="Jo Kent")
    return str(login(client, "pc.erase")["access_token"])


def _post(client: FlaskClient, token: str, path: str, body: Any, key: str | None = None) -> Any:
    headers = {**bearer(token), **({"Idempotency-Key": key} if key else {})}
    response = client.post(f"/api/v1{path}", json=body, headers=headers)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def _victim_with_messages(client: FlaskClient, token: str) -> tuple[str, str, str, str]:
    """A case, a victim (created with a key), a drafted and a sent message to them."""
    case_id = _post(client, token, "/cases", {"crime_reference": "42/3131/26", "offence": "Theft"})[
        "id"
    ]
    victim = {
        "first_name": "Priya",
        "last_name": "Shah",
        "phone": "07700 900123",
        "email": "priya@example.org",
        "preferred_channel": "sms",
        "safe_channels": ["sms", "email"],
    }
    victim_id = _post(client, token, f"/cases/{case_id}/victims", victim, "victim-key")["id"]
    _post(client, token, f"/cases/{case_id}/events", {"type": "arrested", "occurred_at": OCCURRED})
    write = {"victim_id": victim_id, "template_key": "arrested-sms-en"}
    drafted = _post(client, token, f"/cases/{case_id}/messages", write, "write-1")["id"]
    email = {"victim_id": victim_id, "template_key": "arrested-email-en",
             "values": {"note": "We checked the side gate."}}  # fmt: skip
    sent = _post(client, token, f"/cases/{case_id}/messages", email, "write-2")["id"]
    _post(client, token, f"/messages/{sent}/sent", {})
    return case_id, victim_id, drafted, sent


def _erase(client: FlaskClient, token: str, victim_id: str) -> None:
    response = client.delete(
        f"/api/v1/victims/{victim_id}", headers={**bearer(token), "If-Match": '"1"'}
    )
    assert response.status_code == 204


def test_erasure_blanks_the_victims_messages_and_reads_show_them_erased(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id, victim_id, drafted, sent = _victim_with_messages(client, officer)
    before = session.get(Message, uuid.UUID(sent))
    assert before is not None and "Priya" in before.body
    evidence = (before.template_version_id, before.merge_hash, before.sent_at, before.status)

    _erase(client, officer, victim_id)

    session.expire_all()
    rows = {str(m.id): m for m in session.scalars(select(Message))}
    for row in rows.values():
        assert (row.recipient, row.subject, row.body, row.inputs) == ("", None, "", {})
        assert row.erased_at is not None
    kept = rows[sent]
    assert (kept.template_version_id, kept.merge_hash, kept.sent_at, kept.status) == evidence
    assert (rows[drafted].status, rows[drafted].void_reason) == ("void", ERASED_REASON)
    one = client.get(f"/api/v1/messages/{sent}", headers=bearer(officer))
    assert one.status_code == 200
    shown = one.get_json()
    assert (shown["erased"], shown["status"], shown["merge_hash"]) == (True, "sent", evidence[1])
    assert not {"recipient", "subject", "body"} & set(shown)
    listed = client.get(f"/api/v1/cases/{case_id}/messages", headers=bearer(officer))
    assert [m["erased"] for m in listed.get_json()["value"]] == [True, True]
    for text in (one.get_data(as_text=True), listed.get_data(as_text=True)):
        assert not [word for word in PERSONAL if word in text]


def test_erasure_of_the_messages_is_audited_as_erasure_without_values(
    client: FlaskClient, session: Session, officer: str
) -> None:
    _, victim_id, drafted, sent = _victim_with_messages(client, officer)

    _erase(client, officer, victim_id)

    erasures = session.scalars(
        select(AuditRecord).where(AuditRecord.operation == "erasure").order_by(AuditRecord.seq)
    ).all()
    assert sorted((r.resource_type, r.resource_id) for r in erasures) == sorted(
        [("victim", victim_id), ("message", drafted), ("message", sent)]
    )
    messages = [r for r in erasures if r.resource_type == "message"]
    assert {r.field_groups for r in messages} == {"message_text,recipient"}


def _copies(session: Session) -> set[str]:
    """The tables holding any of the person's data, anywhere in any row."""
    session.expire_all()
    found = set()
    for table in Base.metadata.sorted_tables:
        for row in session.execute(table.select()):
            if any(word in repr(tuple(row)) for word in PERSONAL):
                found.add(table.name)
    return found


def test_after_erasure_no_table_holds_the_persons_data(
    client: FlaskClient, session: Session, officer: str
) -> None:
    _, victim_id, _, _ = _victim_with_messages(client, officer)
    assert _copies(session) == {"victims", "messages"}  # idempotency keys never held a copy

    _erase(client, officer, victim_id)

    assert _copies(session) == set()
    tombstone = session.get(Victim, uuid.UUID(victim_id))
    assert tombstone is not None and tombstone.deleted_at is not None


def test_changing_enhanced_rights_recomputes_open_deadlines(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    victim = add_victim_body(client, duty_officer, case_id)
    post_event(client, duty_officer, case_id, type="charged", occurred_at="2025-12-23T16:00:00Z",
               details={"charges": ["Burglary"], "court_name": "Northtown Magistrates' Court",
                        "court_address": "1 Court Street, Northtown NT1 1AA",
                        "hearing_at": "2026-01-08T10:00:00Z",
                        "remand_status": "bail_without_conditions"})  # fmt: skip
    before = client.get("/api/v1/duties", headers=bearer(duty_officer)).get_json()["value"][0]
    # Tue 23 Dec 2025: 5 working days skip Christmas, Boxing Day and New Year: Fri 2 Jan 2026.
    assert before["due_at"] == "2026-01-02T23:59:59Z"
    response = client.patch(
        f"/api/v1/victims/{victim['id']}",
        json={"enhanced_rights": True, "enhanced_basis": ["most_serious"]},
        headers={**bearer(duty_officer), "If-Match": '"1"'},
    )
    assert response.status_code == 200
    after = client.get("/api/v1/duties", headers=bearer(duty_officer)).get_json()["value"][0]
    assert after["due_at"] == "2025-12-24T23:59:59Z"
    assert after["ruleset_version"] == before["ruleset_version"]


def test_victim_contact_rules_are_enforced(client: FlaskClient, duty_officer: str) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    unsafe = client.post(
        f"/api/v1/cases/{case_id}/victims",
        json={"first_name": "A", "last_name": "B", "preferred_channel": "email",
              "safe_channels": ["sms"], "phone": "07700 900123"},
        headers=bearer(duty_officer),
    )  # fmt: skip
    assert unsafe.status_code == 422
    assert "preferred_channel" in unsafe.get_json()["errors"]
    no_phone = client.post(
        f"/api/v1/cases/{case_id}/victims",
        json={"first_name": "A", "last_name": "B", "preferred_channel": "sms",
              "safe_channels": ["sms"]},
        headers=bearer(duty_officer),
    )  # fmt: skip
    assert no_phone.status_code == 422
    assert "phone" in no_phone.get_json()["errors"]
    bad_phone = client.post(
        f"/api/v1/cases/{case_id}/victims",
        json={"first_name": "A", "last_name": "B", "preferred_channel": "sms",
              "safe_channels": ["sms"], "phone": "12"},
        headers=bearer(duty_officer),
    )  # fmt: skip
    assert bad_phone.status_code == 422
    good = add_victim_body(client, duty_officer, case_id)
    assert good["phone"] == "+447700900123"


def test_periodic_updates_make_one_open_duty(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    victim = add_victim_body(client, duty_officer, case_id, update_frequency_days=14)
    periodic = client.get("/api/v1/duties", headers=bearer(duty_officer)).get_json()["value"]
    assert [d["kind"] for d in periodic] == ["periodic_update"]
    client.patch(
        f"/api/v1/victims/{victim['id']}",
        json={"update_frequency_days": 7},
        headers={**bearer(duty_officer), "If-Match": '"1"'},
    )
    assert (
        session.scalar(
            select(func.count())
            .select_from(ContactDuty)
            .where(ContactDuty.kind == "periodic_update")
        )
        == 1
    )


def test_victim_changes_are_audited_by_field_group_without_values(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    victim = add_victim_body(client, duty_officer, case_id)
    client.patch(
        f"/api/v1/victims/{victim['id']}",
        json={"phone": "07700 900456", "language": "cy"},
        headers={**bearer(duty_officer), "If-Match": '"1"'},
    )
    change = session.scalars(
        select(AuditRecord).where(
            AuditRecord.resource_id == victim["id"], AuditRecord.operation == "alteration"
        )
    ).one()
    assert change.field_groups == "contact,contact_preferences"
    assert "0770" not in (change.field_groups or "")


def test_erasing_a_victim_leaves_a_tombstone_for_sync_and_closes_duties(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    victim = add_victim_body(client, duty_officer, case_id, email="sam@example.com",
                             safe_channels=["sms", "email"])  # fmt: skip
    post_event(client, duty_officer, case_id, type="arrested", occurred_at="2026-11-27T14:00:00Z")
    since = victim["created_at"]
    url = f"/api/v1/victims/{victim['id']}"
    assert client.delete(url, headers=bearer(duty_officer)).status_code == 428
    erased = client.delete(url, headers={**bearer(duty_officer), "If-Match": '"1"'})
    assert erased.status_code == 204
    assert client.get(url, headers=bearer(duty_officer)).status_code == 404
    live = client.get(f"/api/v1/cases/{case_id}/victims", headers=bearer(duty_officer)).json[
        "value"
    ]
    assert live == []
    changes = client.get(
        f"/api/v1/cases/{case_id}/victims?updated_since={since}", headers=bearer(duty_officer)
    ).json["value"]
    assert [(v["id"], v["deleted"]) for v in changes] == [(victim["id"], True)]
    assert (
        changes[0]["first_name"] == "" and "phone" not in changes[0] and "email" not in changes[0]
    )
    stored = session.get(Victim, uuid.UUID(victim["id"]))
    assert stored is not None and stored.phone is None and stored.email is None
    duties = session.scalars(select(ContactDuty).where(ContactDuty.victim_id == stored.id)).all()
    assert [d.status for d in duties] == ["not_required"]
    erasure = session.scalars(select(AuditRecord).where(AuditRecord.operation == "erasure")).one()
    assert erasure.resource_id == victim["id"]
    assert "sam@example.com" not in (erasure.field_groups or "")
