"""Contacts through the API: a reached contact meets a duty like a message; attempts never do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.models import Contact, ContactDuty
from tests.factories import audit_rows, bearer, create_team, create_user, login
from tests.factories.cases import add_victim_body, open_case, post_event

ARREST_AT = "2026-11-27T14:00:00Z"
CALLED_AT = "2026-11-27T16:00:00Z"


def _arrest_duty(client: FlaskClient, token: str, session: Session, *items: str) -> dict[str, Any]:
    """A case with one victim and an arrest duty requiring ``items`` (none: any evidence)."""
    case_id = open_case(client, token)
    victim = add_victim_body(client, token, case_id)
    arrested = post_event(client, token, case_id, type="arrested", occurred_at=ARREST_AT)
    assert arrested.status_code == 201, arrested.get_json()
    duty = session.scalars(
        select(ContactDuty).where(ContactDuty.case_id == uuid.UUID(case_id))
    ).one()
    duty.required_items = list(items) if items else None
    session.commit()
    return {"case_id": case_id, "victim_id": victim["id"], "duty_id": str(duty.id)}


def _contact(client: FlaskClient, token: str, made: dict[str, Any], **body: Any) -> Any:
    """POST a contact for the made duty's victim; the response."""
    payload = {
        "victim_id": made["victim_id"],
        "duty_id": made["duty_id"],
        "method": "phone",
        "occurred_at": CALLED_AT,
        "summary": "Told them about the arrest and how to reach me.",
        **body,
    }
    return client.post(
        f"/api/v1/cases/{made['case_id']}/contacts", json=payload, headers=bearer(token)
    )


def _duty(session: Session, made: dict[str, Any]) -> ContactDuty:
    """The duty as stored now."""
    session.expire_all()
    duty = session.get(ContactDuty, uuid.UUID(made["duty_id"]))
    assert duty is not None
    return duty


def test_a_reached_phone_call_meets_a_duty_with_no_required_items(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    made = _arrest_duty(client, duty_officer, session)
    response = _contact(client, duty_officer, made)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["method"], body["outcome"], body["covered"]) == ("phone", "reached", [])
    assert body["duty"]["status"] == "met"
    assert body["duty"]["met_by"] == {"type": "contact", "id": body["id"]}
    assert body["duty"]["reason"] == "Met on time by a phone call."
    duty = _duty(session, made)
    assert (duty.status, str(duty.contact_id), duty.message_id) == ("met", body["id"], None)
    assert duty.closed_at == datetime(2026, 11, 27, 16, tzinfo=UTC)
    [record] = audit_rows(session, resource_type="contact", operation="collection")
    assert (record.resource_id, record.outcome) == (body["id"], "allowed")


def test_coverage_adds_up_over_contacts_and_the_duty_is_met_when_complete(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    made = _arrest_duty(client, duty_officer, session, "event_date", "officer_contact")
    first = _contact(client, duty_officer, made, covered=["event_date"])
    assert first.status_code == 201, first.get_json()
    duty = first.get_json()["duty"]
    assert duty["status"] == "open" and duty["covered_items"] == ["event_date"]
    assert [(i["id"], i["covered"]) for i in duty["required_items"]] == [
        ("event_date", True),
        ("officer_contact", False),
    ]
    late = "2026-12-05T09:00:00Z"  # after the arrest duty's deadline (5 working days)
    second = _contact(
        client,
        duty_officer,
        made,
        method="in_person",
        occurred_at=late,
        covered=["officer_contact"],
    )
    assert second.status_code == 201, second.get_json()
    done = second.get_json()["duty"]
    assert done["status"] == "met"
    assert done["covered_items"] == ["event_date", "officer_contact"]
    assert done["met_by"] == {"type": "contact", "id": second.get_json()["id"]}
    assert done["reason"] == "Met late by an in-person contact with what was given before."
    stored = _duty(session, made)
    assert stored.covered_items == ["event_date", "officer_contact"]


def test_failed_attempts_are_kept_and_never_meet_the_duty(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    made = _arrest_duty(client, duty_officer, session)
    missed = _contact(client, duty_officer, made, outcome="not_reached", summary="No answer.")
    voicemail = _contact(
        client, duty_officer, made, method="voicemail_no_detail", summary="Asked to call back."
    )
    assert (missed.status_code, voicemail.status_code) == (201, 201)
    assert voicemail.get_json()["outcome"] == "not_reached"
    assert voicemail.get_json()["duty"]["status"] == "open"
    assert _duty(session, made).status == "open"
    stored = session.scalars(select(Contact).order_by(Contact.created_at)).all()
    assert [(c.method, c.outcome) for c in stored] == [
        ("phone", "not_reached"),
        ("voicemail_no_detail", "not_reached"),
    ]


def test_attempts_cannot_cover_items_and_refusals_are_audited(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    made = _arrest_duty(client, duty_officer, session, "event_date")
    cases = [
        ({"outcome": "not_reached", "covered": ["event_date"]}, "covered"),
        ({"method": "voicemail_no_detail", "covered": ["event_date"]}, "covered"),
        ({"method": "voicemail_no_detail", "outcome": "reached"}, "outcome"),
        ({"covered": ["event_date", "charges", "made_up"]}, "covered"),
        ({"occurred_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}, "occurred_at"),
    ]
    for body, field in cases:
        response = _contact(client, duty_officer, made, **body)
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"], response.get_json()
    unknown = _contact(client, duty_officer, made, covered=["charges", "made_up"])
    assert unknown.get_json()["errors"]["covered"] == [
        "Not required by this duty: charges, made_up."
    ]
    assert session.scalar(select(Contact.id)) is None
    assert _duty(session, made).status == "open"
    refusals = audit_rows(session, resource_type="victim", outcome="denied")
    assert len(refusals) == len(cases) + 1
    assert {r.field_groups for r in refusals} == {"contact"}


def test_covered_items_need_a_duty(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    made = _arrest_duty(client, duty_officer, session, "event_date")
    response = _contact(client, duty_officer, {**made, "duty_id": None}, covered=["event_date"])
    assert response.status_code == 422
    assert "duty_id" in response.get_json()["errors"]


def test_a_retry_with_the_same_key_records_one_contact(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    made = _arrest_duty(client, duty_officer, session)
    body = {
        "victim_id": made["victim_id"],
        "duty_id": made["duty_id"],
        "method": "letter_by_hand",
        "occurred_at": CALLED_AT,
        "summary": "Handed the letter to them at the door.",
    }
    url = f"/api/v1/cases/{made['case_id']}/contacts"
    headers = {**bearer(duty_officer), "Idempotency-Key": "contact-1"}
    first = client.post(url, json=body, headers=headers)
    again = client.post(url, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["duty"]["status"] == "met"
    assert len(session.scalars(select(Contact)).all()) == 1


def test_listing_is_audited_and_other_teams_cannot_reach_contacts(
    app: Flask, client: FlaskClient, session: Session, duty_officer: str
) -> None:
    made = _arrest_duty(client, duty_officer, session)
    created = _contact(client, duty_officer, made).get_json()
    url = f"/api/v1/cases/{made['case_id']}/contacts"
    listed = client.get(url, headers=bearer(duty_officer))
    assert listed.status_code == 200
    assert [c["id"] for c in listed.get_json()["value"]] == [created["id"]]
    assert "duty" not in listed.get_json()["value"][0]
    reads = audit_rows(session, resource_type="contact", operation="consultation")
    assert [r.resource_id for r in reads] == [created["id"]]
    create_user(app, session, username="pc.outsider", team=create_team(session, name="Elsewhere"))
    other = bearer(login(client, "pc.outsider")["access_token"])
    assert client.get(url, headers=other).status_code == 404
    stranger = _contact(client, login(client, "pc.outsider")["access_token"], made)
    assert stranger.status_code == 404
    denied = audit_rows(session, resource_type="case", outcome="denied")
    assert len(denied) == 2


def test_erasing_the_victim_blanks_contact_summaries(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    made = _arrest_duty(client, duty_officer, session)
    created = _contact(client, duty_officer, made).get_json()
    erased = client.delete(
        f"/api/v1/victims/{made['victim_id']}", headers={**bearer(duty_officer), "If-Match": '"1"'}
    )
    assert erased.status_code == 204
    session.expire_all()
    contact = session.get(Contact, uuid.UUID(created["id"]))
    assert contact is not None and contact.summary == "" and contact.erased
    assert (contact.method, contact.outcome) == ("phone", "reached")
    [record] = audit_rows(session, resource_type="contact", operation="erasure")
    assert record.resource_id == created["id"]


def test_a_reached_contact_restarts_the_agreed_updates_and_an_attempt_does_not(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer)
    victim = add_victim_body(client, duty_officer, case_id, update_frequency_days=28)
    periodic = session.scalars(
        select(ContactDuty).where(ContactDuty.victim_id == uuid.UUID(victim["id"]))
    ).one()
    first_clock = periodic.clock_from
    base = {"victim_id": victim["id"], "method": "phone", "summary": "Gave an update."}
    url = f"/api/v1/cases/{case_id}/contacts"
    missed_at = datetime.now(UTC).replace(microsecond=0)
    attempt = {**base, "outcome": "not_reached", "occurred_at": missed_at.isoformat()}
    assert client.post(url, json=attempt, headers=bearer(duty_officer)).status_code == 201
    assert _periodic_clock(session, victim["id"]) == first_clock
    told_at = missed_at + timedelta(seconds=1)
    reached = {**base, "occurred_at": told_at.isoformat()}
    assert client.post(url, json=reached, headers=bearer(duty_officer)).status_code == 201
    assert _periodic_clock(session, victim["id"]) == told_at


def _periodic_clock(session: Session, victim_id: str) -> datetime | None:
    """When the victim's open periodic duty counts from."""
    session.expire_all()
    return session.scalar(
        select(ContactDuty.clock_from).where(
            ContactDuty.victim_id == uuid.UUID(victim_id),
            ContactDuty.kind == "periodic_update",
            ContactDuty.status == "open",
        )
    )
