"""Victims' Code duties through the API: closing them, and who may reach them."""

from __future__ import annotations

import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.models import AuditRecord, ContactDuty, InvestigationEvent, Victim
from tests.factories import bearer, create_team, create_user, login
from tests.factories.cases import add_victim_body, open_case, post_event

REFERENCE = "42/5555/26"


def test_duty_can_be_closed_only_with_a_reason(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    add_victim_body(client, duty_officer, case_id)
    post_event(client, duty_officer, case_id, type="arrested", occurred_at="2026-11-27T14:00:00Z")
    duty = client.get("/api/v1/duties", headers=bearer(duty_officer)).get_json()["value"][0]
    url = f"/api/v1/duties/{duty['id']}"
    headers = {**bearer(duty_officer), "If-Match": f'"{duty["version"]}"'}
    no_reason = client.patch(url, json={"status": "not_required"}, headers=headers)
    assert no_reason.status_code == 422
    assert "reason" in no_reason.get_json()["errors"]
    done = client.patch(
        url,
        json={"status": "not_required", "reason": "Victim asked for no updates."},
        headers=headers,
    )
    assert done.status_code == 200
    assert done.get_json()["status"] == "not_required"
    again = client.patch(
        url,
        json={"status": "missed", "reason": "Changed my mind."},
        headers={**bearer(duty_officer), "If-Match": done.headers["ETag"]},
    )
    assert again.status_code == 409
    stored = session.get(ContactDuty, uuid.UUID(duty["id"]))
    assert stored is not None and stored.reason == "Victim asked for no updates."


def test_other_teams_cannot_reach_victims_events_or_duties(
    app: Flask, client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    victim = add_victim_body(client, duty_officer, case_id)
    post_event(client, duty_officer, case_id, type="arrested", occurred_at="2026-11-27T14:00:00Z")
    duty = client.get("/api/v1/duties", headers=bearer(duty_officer)).get_json()["value"][0]
    create_user(app, session, username="pc.outsider", team=create_team(session, name="Elsewhere"))
    other = login(client, "pc.outsider")["access_token"]
    h = bearer(other)
    attempts = [
        client.get(f"/api/v1/cases/{case_id}/victims", headers=h),
        client.post(f"/api/v1/cases/{case_id}/victims",
                    json={"first_name": "X", "last_name": "Y", "preferred_channel": "letter",
                          "safe_channels": ["letter"]}, headers=h),
        client.get(f"/api/v1/victims/{victim['id']}", headers=h),
        client.patch(f"/api/v1/victims/{victim['id']}", json={"first_name": "Z"},
                     headers={**h, "If-Match": '"1"'}),
        client.get(f"/api/v1/cases/{case_id}/events", headers=h),
        client.post(f"/api/v1/cases/{case_id}/events",
                    json={"type": "arrested", "occurred_at": "2026-11-27T14:00:00Z"}, headers=h),
        client.patch(f"/api/v1/duties/{duty['id']}",
                     json={"status": "missed", "reason": "Not mine to close."},
                     headers={**h, "If-Match": '"1"'}),
    ]  # fmt: skip
    assert [r.status_code for r in attempts] == [404] * len(attempts)
    assert client.get("/api/v1/duties?scope=team", headers=h).get_json()["value"] == []
    assert client.get(f"/api/v1/duties?case_id={case_id}&scope=team", headers=h).json["value"] == []
    assert session.scalar(select(func.count()).select_from(Victim)) == 1
    assert session.scalar(select(func.count()).select_from(InvestigationEvent)) == 1
    denied = session.scalars(select(AuditRecord).where(AuditRecord.outcome == "denied")).all()
    assert {r.actor_name for r in denied} == {"pc.outsider"}
    assert len(denied) >= 7
    closing = [r for r in denied if r.resource_type == "duty"]
    assert [(r.resource_id, r.operation) for r in closing] == [(duty["id"], "alteration")]
