"""Victims, events and the Victims' Code duties they create, end to end through the API."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.models import AuditRecord, ContactDuty, InvestigationEvent, Team, Victim
from tests.factories import bearer, create_team, create_user, login


@pytest.fixture
def team(session: Session) -> Team:
    """The officer's team."""
    return create_team(session, name="Westfield Response")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """A signed-in officer's token."""
    create_user(app, session, username="pc.duty", team=team, display_name="PC Duty")
    return str(login(client, "pc.duty")["access_token"])


def _case(client: FlaskClient, token: str, reference: str = "42/5555/26") -> str:
    response = client.post(
        "/api/v1/cases",
        json={"crime_reference": reference, "offence": "Burglary of a home"},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def _victim(client: FlaskClient, token: str, case_id: str, **extra: Any) -> dict[str, Any]:
    body = {
        "first_name": "Sam",
        "last_name": "Jones",
        "phone": "07700 900123",
        "preferred_channel": "sms",
        "safe_channels": ["sms"],
        **extra,
    }
    response = client.post(f"/api/v1/cases/{case_id}/victims", json=body, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


def _event(client: FlaskClient, token: str, case_id: str, **body: Any) -> Any:
    return client.post(f"/api/v1/cases/{case_id}/events", json=body, headers=bearer(token))


def test_recording_a_friday_arrest_gives_each_victim_a_deadline(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id = _case(client, officer)
    standard = _victim(client, officer, case_id)
    enhanced = _victim(
        client, officer, case_id, first_name="Ana", enhanced_rights=True,
        enhanced_basis=["vulnerable"],
    )  # fmt: skip
    response = _event(
        client, officer, case_id, type="arrested", occurred_at="2026-11-27T14:00:00.000Z"
    )
    assert response.status_code == 201
    assert response.get_json()["duties_created"] == 2
    worklist = client.get("/api/v1/duties?scope=mine", headers=bearer(officer)).get_json()["value"]
    due = {d["victim_id"]: d for d in worklist}
    # Friday 27 Nov 2026: 5 working days is the end of Friday 4 Dec; 1 is the end of Monday 30 Nov.
    assert due[standard["id"]]["due_at"] == "2026-12-04T23:59:59Z"
    assert due[enhanced["id"]]["due_at"] == "2026-11-30T23:59:59Z"
    assert due[enhanced["id"]]["kind"] == "key_decision"
    assert due[enhanced["id"]]["event_type"] == "arrested"
    assert due[enhanced["id"]]["crime_reference"] == "42/5555/26"
    assert due[enhanced["id"]]["victim_name"] == "Ana Jones"
    assert {d["ruleset_version"] for d in worklist} == {"2020-code.1"}
    assert session.scalar(select(func.count()).select_from(ContactDuty)) == 2


def test_a_late_recorded_event_counts_from_when_it_happened_and_is_overdue(
    client: FlaskClient, officer: str
) -> None:
    case_id = _case(client, officer)
    _victim(client, officer, case_id)
    _event(client, officer, case_id, type="interviewed", occurred_at="2025-01-06T10:00:00Z")
    overdue = client.get("/api/v1/duties?overdue=true", headers=bearer(officer)).get_json()["value"]
    assert len(overdue) == 1
    assert overdue[0]["overdue"] is True
    assert overdue[0]["due_at"] == "2025-01-13T23:59:59Z"


def test_changing_enhanced_rights_recomputes_open_deadlines(
    client: FlaskClient, officer: str
) -> None:
    case_id = _case(client, officer)
    victim = _victim(client, officer, case_id)
    _event(client, officer, case_id, type="charged", occurred_at="2025-12-23T16:00:00Z",
           details={"charges": ["Burglary"], "court_name": "Northtown Magistrates' Court",
                    "hearing_at": "2026-01-08T10:00:00Z"})  # fmt: skip
    before = client.get("/api/v1/duties", headers=bearer(officer)).get_json()["value"][0]
    # Tue 23 Dec 2025: 5 working days skip Christmas, Boxing Day and New Year: Fri 2 Jan 2026.
    assert before["due_at"] == "2026-01-02T23:59:59Z"
    response = client.patch(
        f"/api/v1/victims/{victim['id']}",
        json={"enhanced_rights": True, "enhanced_basis": ["most_serious"]},
        headers={**bearer(officer), "If-Match": '"1"'},
    )
    assert response.status_code == 200
    after = client.get("/api/v1/duties", headers=bearer(officer)).get_json()["value"][0]
    assert after["due_at"] == "2025-12-24T23:59:59Z"
    assert after["ruleset_version"] == before["ruleset_version"]


def test_event_details_are_validated_per_type(client: FlaskClient, officer: str) -> None:
    case_id = _case(client, officer)
    response = _event(client, officer, case_id, type="charged", occurred_at="2026-11-20T10:00:00Z",
                      details={"charges": []})  # fmt: skip
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"details.charges", "details.court_name", "details.hearing_at"} <= set(errors)
    bail = _event(client, officer, case_id, type="bailed", occurred_at="2026-11-20T10:00:00Z",
                  details={"conditions": [{"text": "Not to contact the victim",
                                           "protects_victim": True}]})  # fmt: skip
    assert bail.status_code == 201
    assert bail.get_json()["details"]["conditions"][0]["protects_victim"] is True


@pytest.mark.parametrize(
    ("occurred_at", "field"),
    [("2031-01-01T10:00:00Z", "occurred_at"), ("2019-05-01T10:00:00Z", "occurred_at"),
     ("2026-11-20T10:00:00", "occurred_at")],
)  # fmt: skip
def test_impossible_event_times_are_refused(
    client: FlaskClient, session: Session, officer: str, occurred_at: str, field: str
) -> None:
    case_id = _case(client, officer)
    _victim(client, officer, case_id)
    response = _event(client, officer, case_id, type="arrested", occurred_at=occurred_at)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert session.scalar(select(func.count()).select_from(InvestigationEvent)) == 0
    assert session.scalar(select(func.count()).select_from(ContactDuty)) == 0


def test_duty_can_be_closed_only_with_a_reason(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id = _case(client, officer)
    _victim(client, officer, case_id)
    _event(client, officer, case_id, type="arrested", occurred_at="2026-11-27T14:00:00Z")
    duty = client.get("/api/v1/duties", headers=bearer(officer)).get_json()["value"][0]
    url = f"/api/v1/duties/{duty['id']}"
    headers = {**bearer(officer), "If-Match": f'"{duty["version"]}"'}
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
        headers={**bearer(officer), "If-Match": done.headers["ETag"]},
    )
    assert again.status_code == 409
    stored = session.get(ContactDuty, uuid.UUID(duty["id"]))
    assert stored is not None and stored.reason == "Victim asked for no updates."


def test_victim_contact_rules_are_enforced(client: FlaskClient, officer: str) -> None:
    case_id = _case(client, officer)
    unsafe = client.post(
        f"/api/v1/cases/{case_id}/victims",
        json={"first_name": "A", "last_name": "B", "preferred_channel": "email",
              "safe_channels": ["sms"], "phone": "07700 900123"},
        headers=bearer(officer),
    )  # fmt: skip
    assert unsafe.status_code == 422
    assert "preferred_channel" in unsafe.get_json()["errors"]
    no_phone = client.post(
        f"/api/v1/cases/{case_id}/victims",
        json={"first_name": "A", "last_name": "B", "preferred_channel": "sms",
              "safe_channels": ["sms"]},
        headers=bearer(officer),
    )  # fmt: skip
    assert no_phone.status_code == 422
    assert "phone" in no_phone.get_json()["errors"]
    bad_phone = client.post(
        f"/api/v1/cases/{case_id}/victims",
        json={"first_name": "A", "last_name": "B", "preferred_channel": "sms",
              "safe_channels": ["sms"], "phone": "12"},
        headers=bearer(officer),
    )  # fmt: skip
    assert bad_phone.status_code == 422
    good = _victim(client, officer, case_id)
    assert good["phone"] == "+447700900123"


def test_periodic_updates_make_one_open_duty(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id = _case(client, officer)
    victim = _victim(client, officer, case_id, update_frequency_days=14)
    periodic = client.get("/api/v1/duties", headers=bearer(officer)).get_json()["value"]
    assert [d["kind"] for d in periodic] == ["periodic_update"]
    client.patch(
        f"/api/v1/victims/{victim['id']}",
        json={"update_frequency_days": 7},
        headers={**bearer(officer), "If-Match": '"1"'},
    )
    assert (
        session.scalar(
            select(func.count())
            .select_from(ContactDuty)
            .where(ContactDuty.kind == "periodic_update")
        )
        == 1
    )


def test_other_teams_cannot_reach_victims_events_or_duties(
    app: Flask, client: FlaskClient, session: Session, officer: str
) -> None:
    case_id = _case(client, officer)
    victim = _victim(client, officer, case_id)
    _event(client, officer, case_id, type="arrested", occurred_at="2026-11-27T14:00:00Z")
    duty = client.get("/api/v1/duties", headers=bearer(officer)).get_json()["value"][0]
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


def test_victim_changes_are_audited_by_field_group_without_values(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id = _case(client, officer)
    victim = _victim(client, officer, case_id)
    client.patch(
        f"/api/v1/victims/{victim['id']}",
        json={"phone": "07700 900456", "language": "cy"},
        headers={**bearer(officer), "If-Match": '"1"'},
    )
    change = session.scalars(
        select(AuditRecord).where(
            AuditRecord.resource_id == victim["id"], AuditRecord.operation == "alteration"
        )
    ).one()
    assert change.field_groups == "contact,contact_preferences"
    assert "0770" not in (change.field_groups or "")


def test_erasing_a_victim_leaves_a_tombstone_for_sync_and_closes_duties(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id = _case(client, officer)
    victim = _victim(client, officer, case_id, email="sam@example.com",
                     safe_channels=["sms", "email"])  # fmt: skip
    _event(client, officer, case_id, type="arrested", occurred_at="2026-11-27T14:00:00Z")
    since = victim["created_at"]
    url = f"/api/v1/victims/{victim['id']}"
    assert client.delete(url, headers=bearer(officer)).status_code == 428
    erased = client.delete(url, headers={**bearer(officer), "If-Match": '"1"'})
    assert erased.status_code == 204
    assert client.get(url, headers=bearer(officer)).status_code == 404
    live = client.get(f"/api/v1/cases/{case_id}/victims", headers=bearer(officer)).json["value"]
    assert live == []
    changes = client.get(
        f"/api/v1/cases/{case_id}/victims?updated_since={since}", headers=bearer(officer)
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
