"""A message meets its duty only if it tells the victim what the Code requires (with contacts)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core import victims_code
from fieldapp.core.templating.library import LIBRARY_DIRECTORY, LibraryTemplate, load_library
from fieldapp.models import ContactDuty, Message, Team
from fieldapp.services.templates.library import import_library
from tests.factories import audit_rows, bearer, create_team, create_user, login
from tests.factories.cases import add_victim, open_case

CHARGED_DETAILS = {
    "charges": ["Burglary of a dwelling"],
    "court_name": "Westfield Magistrates' Court",
    "court_address": "1 High Street, Westfield WF1 1AA",
    "hearing_at": "2026-12-14T10:00:00Z",
    "remand_status": "bail_without_conditions",
}
SIGN_OFF = "Call {{ officer.name }} on {{ officer.contact_phone }}. Ref {{ case.crime_reference }}."
CHARGES = "We charged the suspect with: {% for c in event.charges %}{{ c }}. {% endfor %}"
HEARING = "The first hearing is on {{ event.hearing_date }} at {{ event.hearing_time }}."
COURT = (
    "The first hearing is at {{ event.court_name }}, {{ event.court_address }}, on "
    "{{ event.hearing_date }} at {{ event.hearing_time }}."
)
EVERYTHING = "\n".join(
    [
        "Dear {{ victim.first_name }},",
        CHARGES,
        COURT,
        "{{ event.remand_status }}",
        "{% if event.bail_conditions %}{% for c in event.bail_conditions %}{{ c }} {% endfor %}"
        "{% endif %}",
        "{{ force.witness_care_name }} will keep you updated: call them on "
        "{{ force.witness_care_phone }}.",
        SIGN_OFF,
    ]
)


def _template(key: str, channel: str, body: str, **extra: Any) -> LibraryTemplate:
    """A test template for the charge (the built-in wording may change; these do not)."""
    return LibraryTemplate(
        key=key,
        family=key.rsplit("-", 2)[0].replace("-", "_"),
        channel=channel,
        language="en",
        event_type="charged",
        name=key,
        description="Test wording.",
        change_note="Test.",
        body=body,
        subject="Your case {{ case.crime_reference }}" if channel == "email" else None,
        **extra,
    )


TEMPLATES = [
    _template("charged-everything-email-en", "email", EVERYTHING),
    # A text may not give an address, so the court's is given another way.
    _template("charged-hearing-sms-en", "sms", f"{CHARGES} {HEARING} {SIGN_OFF}"),
    _template("charged-bare-sms-en", "sms", "We charged the suspect. " + SIGN_OFF),
    _template(
        "charged-prompt-sms-en",
        "sms",
        "There is news about your case. " + SIGN_OFF,
        follow_up=True,
    ),
]


@pytest.fixture
def team(session: Session) -> Team:
    """The officer's team, with the built-in library and the test templates published."""
    import_library(session, [*load_library(LIBRARY_DIRECTORY), *TEMPLATES])
    return create_team(session, name="Westfield Response")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """A signed-in officer's token."""
    create_user(
        app, session, username="pc.info", team=team, display_name="Sam Ashworth", rank="PC",
        phone="+442079460127",
    )  # fmt: skip
    return str(login(client, "pc.info")["access_token"])


def _charged(client: FlaskClient, token: str, session: Session, **victim: Any) -> dict[str, Any]:
    """A charge an hour ago on a new case; its key-decision duty requiring the rules' items."""
    case_id = open_case(client, token)
    victim_id = add_victim(client, token, case_id, **victim)
    occurred = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = client.post(
        f"/api/v1/cases/{case_id}/events",
        json={"type": "charged", "occurred_at": occurred, "details": CHARGED_DETAILS},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.get_json()
    duty = session.scalars(
        select(ContactDuty).where(
            ContactDuty.case_id == uuid.UUID(case_id), ContactDuty.kind == "key_decision"
        )
    ).one()
    items = victims_code.required_items(duty.ruleset_version, "charged", "key_decision", "victim")
    duty.required_items = [item.id for item in items]
    session.commit()
    return {"case_id": case_id, "victim_id": victim_id, "duty_id": str(duty.id), "items": items}


def _write(client: FlaskClient, token: str, made: dict[str, Any], key: str, **extra: Any) -> Any:
    """Write a message for the charge duty; the response."""
    body = {"victim_id": made["victim_id"], "duty_id": made["duty_id"], "template_key": key}
    return client.post(
        f"/api/v1/cases/{made['case_id']}/messages", json={**body, **extra}, headers=bearer(token)
    )


def _sent(client: FlaskClient, token: str, message_id: str) -> None:
    """Confirm a message sent by hand, now."""
    response = client.post(f"/api/v1/messages/{message_id}/sent", json={}, headers=bearer(token))
    assert response.status_code == 200, response.get_json()


def _duty(session: Session, made: dict[str, Any]) -> ContactDuty:
    """The duty as stored now."""
    session.expire_all()
    duty = session.get(ContactDuty, uuid.UUID(made["duty_id"]))
    assert duty is not None
    return duty


def test_the_charge_text_without_the_court_is_refused_naming_what_is_missing(
    client: FlaskClient, session: Session, officer: str
) -> None:
    made = _charged(client, officer, session)
    response = _write(client, officer, made, "charged-bare-sms-en")
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert problem["code"] == "missing_information"
    assert {"court", "first_hearing", "charges"} <= set(problem["missing_items"])
    labels = {item.id: item.label("en") for item in made["items"]}
    assert problem["errors"]["duty_id"] == [labels[i] for i in problem["missing_items"]]
    assert session.scalar(select(Message.id)) is None


def test_an_email_with_everything_meets_the_duty_when_sent(
    client: FlaskClient, session: Session, officer: str
) -> None:
    made = _charged(client, officer, session)
    written = _write(client, officer, made, "charged-everything-email-en")
    assert written.status_code == 201, written.get_json()
    body = written.get_json()
    assert (body["meets_duty"], body["missing_items"]) == (True, [])
    assert set(body["carried_items"]) == {item.id for item in made["items"]}
    assert _duty(session, made).status == "open"  # written, not yet sent
    _sent(client, officer, body["id"])
    duty = _duty(session, made)
    assert (duty.status, str(duty.message_id)) == ("met", body["id"])
    assert duty.reason == "Met on time by a message."
    assert duty.covered_items == [item.id for item in made["items"]]
    listed = client.get(f"/api/v1/duties?case_id={made['case_id']}", headers=bearer(officer))
    shown = next(d for d in listed.get_json()["value"] if d["id"] == made["duty_id"])
    assert shown["met_by"] == {"type": "message", "id": body["id"]}
    assert all(item["covered"] for item in shown["required_items"])


def test_a_contact_covering_the_rest_lets_a_text_meet_the_duty(
    client: FlaskClient, session: Session, officer: str
) -> None:
    made = _charged(client, officer, session)
    refused = _write(client, officer, made, "charged-hearing-sms-en")
    assert refused.status_code == 422
    rest = refused.get_json()["missing_items"]
    assert "court" in rest and "charges" not in rest and "first_hearing" not in rest
    called = client.post(
        f"/api/v1/cases/{made['case_id']}/contacts",
        json={
            "victim_id": made["victim_id"],
            "duty_id": made["duty_id"],
            "method": "phone",
            "occurred_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "summary": "Told them the charges, bail, and the Witness Care Unit's number.",
            "covered": rest,
        },
        headers=bearer(officer),
    )
    assert called.status_code == 201, called.get_json()
    assert called.get_json()["duty"]["status"] == "open"
    written = _write(client, officer, made, "charged-hearing-sms-en")
    assert written.status_code == 201, written.get_json()
    assert written.get_json()["meets_duty"] is True
    _sent(client, officer, written.get_json()["id"])
    duty = _duty(session, made)
    assert (duty.status, str(duty.message_id)) == ("met", written.get_json()["id"])
    assert duty.reason == "Met on time by a message with what was given before."


def test_a_follow_up_prompt_is_written_but_does_not_meet_the_duty(
    client: FlaskClient, session: Session, officer: str
) -> None:
    made = _charged(client, officer, session)
    written = _write(client, officer, made, "charged-prompt-sms-en")
    assert written.status_code == 201, written.get_json()
    body = written.get_json()
    assert body["meets_duty"] is False
    assert {"court", "charges"} <= set(body["missing_items"])
    stored = session.get(Message, uuid.UUID(body["id"]))
    assert stored is not None and stored.missing_items == body["missing_items"]
    _sent(client, officer, body["id"])
    duty = _duty(session, made)
    assert (duty.status, duty.message_id) == ("open", None)


def test_a_contentless_prompt_does_not_meet_the_duty(
    client: FlaskClient, session: Session, officer: str
) -> None:
    made = _charged(client, officer, session, contentless=True)
    written = _write(client, officer, made, "charged-sms-en")
    assert written.status_code == 201, written.get_json()
    body = written.get_json()
    assert body["template_key"] == "contentless-sms-en"
    assert body["meets_duty"] is False and body["missing_items"]
    _sent(client, officer, body["id"])
    assert _duty(session, made).status == "open"


def test_what_was_given_another_way_is_recorded_and_audited(
    client: FlaskClient, session: Session, officer: str
) -> None:
    made = _charged(client, officer, session)
    missing = _write(client, officer, made, "charged-hearing-sms-en").get_json()["missing_items"]
    no_note = _write(client, officer, made, "charged-hearing-sms-en", given_another_way=missing)
    assert no_note.status_code == 422
    assert "given_another_way_note" in no_note.get_json()["errors"]
    unknown = _write(
        client, officer, made, "charged-hearing-sms-en", given_another_way=["sentence"],
        given_another_way_note="Told them at the door.",
    )  # fmt: skip
    assert unknown.status_code == 422
    assert "given_another_way" in unknown.get_json()["errors"]
    note = "Gave them the charge sheet and the Witness Care leaflet at the station."
    written = _write(
        client, officer, made, "charged-hearing-sms-en", given_another_way=missing,
        given_another_way_note=note,
    )  # fmt: skip
    assert written.status_code == 201, written.get_json()
    body = written.get_json()
    assert (body["meets_duty"], body["given_another_way"]) == (True, missing)
    assert body["given_another_way_note"] == note
    [record] = [r for r in audit_rows(session, operation="combination") if r.reason is not None]
    assert record.reason == "given_another_way: " + ", ".join(missing)
    _sent(client, officer, body["id"])
    assert _duty(session, made).status == "met"


def test_a_failed_attempt_does_not_meet_the_duty(
    client: FlaskClient, session: Session, officer: str
) -> None:
    made = _charged(client, officer, session)
    attempt = client.post(
        f"/api/v1/cases/{made['case_id']}/contacts",
        json={
            "victim_id": made["victim_id"],
            "duty_id": made["duty_id"],
            "method": "phone",
            "outcome": "not_reached",
            "occurred_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "summary": "No answer; will try again this evening.",
        },
        headers=bearer(officer),
    )
    assert attempt.status_code == 201, attempt.get_json()
    duty = _duty(session, made)
    assert (duty.status, duty.covered_items, duty.contact_id) == ("open", None, None)


def test_another_team_cannot_write_for_the_duty(
    app: Flask, client: FlaskClient, session: Session, officer: str
) -> None:
    made = _charged(client, officer, session)
    create_user(app, session, username="pc.other", team=create_team(session, name="Elsewhere"))
    other = str(login(client, "pc.other")["access_token"])
    assert _write(client, other, made, "charged-everything-email-en").status_code == 404


def test_a_periodic_update_must_come_from_a_template_with_the_officers_note(
    client: FlaskClient, session: Session, officer: str
) -> None:
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id, update_frequency_days=28)
    duty = session.scalars(
        select(ContactDuty).where(ContactDuty.victim_id == uuid.UUID(victim_id))
    ).one()
    made = {"case_id": case_id, "victim_id": victim_id, "duty_id": str(duty.id)}
    response = _write(client, officer, made, "periodic-update-sms-en")
    assert response.status_code == 422, response.get_json()
    assert "values.note" in response.get_json()["errors"]
    assert session.scalar(select(Message.id)) is None


VRR_OUTCOME = LibraryTemplate(
    key="vrr-outcome-test-email-en",
    family="vrr_outcome_test",
    channel="email",
    language="en",
    event_type="vrr_decided",
    name="Review outcome (test)",
    description="Test wording.",
    change_note="Test.",
    body="Dear {{ victim.first_name }}, {{ event.result }} {{ event.reasons }} " + SIGN_OFF,
    subject="Your case {{ case.crime_reference }}",
)


def _event(client: FlaskClient, token: str, case_id: str, kind: str, **details: Any) -> None:
    """Record an event an hour ago."""
    occurred = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = client.post(
        f"/api/v1/cases/{case_id}/events",
        json={"type": kind, "occurred_at": occurred, "details": details},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.get_json()


def test_a_review_outcome_is_told_from_the_decision_not_the_request(
    client: FlaskClient, session: Session, officer: str
) -> None:
    import_library(session, [VRR_OUTCOME])
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id)
    _event(client, officer, case_id, "vrr_requested")
    duty = session.scalars(
        select(ContactDuty).where(
            ContactDuty.case_id == uuid.UUID(case_id), ContactDuty.kind == "vrr_outcome"
        )
    ).one()
    made = {"case_id": case_id, "victim_id": victim_id, "duty_id": str(duty.id)}

    early = _write(client, officer, made, VRR_OUTCOME.key)
    assert early.status_code == 422, early.get_json()
    assert "vrr_decided" in early.get_json()["errors"]["duty_id"][0]

    _event(
        client, officer, case_id, "vrr_decided",
        result="decision_overturned", reason_codes=["other"], reasons="New evidence came to light.",
    )  # fmt: skip
    written = _write(client, officer, made, VRR_OUTCOME.key)
    assert written.status_code == 201, written.get_json()
    body = written.get_json()
    assert body["meets_duty"] is True and set(body["carried_items"]) == {"result", "reasons"}
    assert "New evidence came to light." in body["body"]


def test_the_built_in_charge_text_is_a_prompt_that_leaves_the_duty_open(
    client: FlaskClient, session: Session, officer: str
) -> None:
    made = _charged(client, officer, session)
    written = _write(client, officer, made, "charged-sms-en")
    assert written.status_code == 201, written.get_json()
    body = written.get_json()
    assert body["meets_duty"] is False
    assert {"court", "first_hearing", "charges"} <= set(body["missing_items"])
    _sent(client, officer, body["id"])
    assert _duty(session, made).status == "open"
