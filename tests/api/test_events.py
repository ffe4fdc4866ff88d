"""Recording events on a case through the API, and the Victims' Code duties they create."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.models import ContactDuty, InvestigationEvent
from tests.factories import bearer
from tests.factories.cases import add_victim_body, open_case, post_event

REFERENCE = "42/5555/26"


def test_recording_a_friday_arrest_gives_each_victim_a_deadline(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    standard = add_victim_body(client, duty_officer, case_id)
    enhanced = add_victim_body(
        client, duty_officer, case_id, first_name="Ana", enhanced_rights=True,
        enhanced_basis=["vulnerable"],
    )  # fmt: skip
    response = post_event(
        client, duty_officer, case_id, type="arrested", occurred_at="2026-11-27T14:00:00.000Z"
    )
    assert response.status_code == 201
    assert response.get_json()["duties_created"] == 2
    worklist = client.get("/api/v1/duties?scope=mine", headers=bearer(duty_officer)).get_json()[
        "value"
    ]
    due = {d["victim_id"]: d for d in worklist}
    # Friday 27 Nov 2026: 5 working days is the end of Friday 4 Dec; 1 is the end of Monday 30 Nov.
    assert due[standard["id"]]["due_at"] == "2026-12-04T23:59:59Z"
    assert due[enhanced["id"]]["due_at"] == "2026-11-30T23:59:59Z"
    assert due[enhanced["id"]]["kind"] == "key_decision"
    assert due[enhanced["id"]]["event_type"] == "arrested"
    assert due[enhanced["id"]]["crime_reference"] == "42/5555/26"
    assert due[enhanced["id"]]["victim_name"] == "Ana Jones"
    assert {d["ruleset_version"] for d in worklist} == {"2020-code.2"}
    assert session.scalar(select(func.count()).select_from(ContactDuty)) == 2


def test_a_late_recorded_event_counts_from_when_it_happened_and_is_overdue(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    add_victim_body(client, duty_officer, case_id)
    post_event(
        client, duty_officer, case_id, type="interviewed", occurred_at="2025-01-06T10:00:00Z"
    )
    overdue = client.get("/api/v1/duties?overdue=true", headers=bearer(duty_officer)).get_json()[
        "value"
    ]
    assert len(overdue) == 1
    assert overdue[0]["overdue"] is True
    assert overdue[0]["due_at"] == "2025-01-13T23:59:59Z"


def test_event_details_are_validated_per_type(client: FlaskClient, duty_officer: str) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    response = post_event(client, duty_officer, case_id, type="charged",
                          occurred_at="2026-11-20T10:00:00Z", details={"charges": []})  # fmt: skip
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"details.charges", "details.court_name", "details.hearing_at",
            "details.court_address", "details.remand_status"} <= set(errors)  # fmt: skip
    bail = post_event(client, duty_officer, case_id, type="bailed",
                      occurred_at="2026-11-20T10:00:00Z",
                      details={"conditions": [{"text": "Not to contact the victim",
                                               "protects_victim": True}],
                               "answer_bail_on": "2026-12-04"})  # fmt: skip
    assert bail.status_code == 201
    assert bail.get_json()["details"]["conditions"][0]["protects_victim"] is True


@pytest.mark.parametrize(
    ("occurred_at", "field"),
    [("2031-01-01T10:00:00Z", "occurred_at"), ("2019-05-01T10:00:00Z", "occurred_at"),
     ("2026-11-20T10:00:00", "occurred_at")],
)  # fmt: skip
def test_impossible_event_times_are_refused(
    client: FlaskClient, session: Session, duty_officer: str, occurred_at: str, field: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    add_victim_body(client, duty_officer, case_id)
    response = post_event(client, duty_officer, case_id, type="arrested", occurred_at=occurred_at)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert session.scalar(select(func.count()).select_from(InvestigationEvent)) == 0
    assert session.scalar(select(func.count()).select_from(ContactDuty)) == 0


def test_a_crime_report_gives_each_victim_three_duties(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    add_victim_body(client, duty_officer, case_id)
    response = post_event(
        client, duty_officer, case_id, type="crime_recorded", occurred_at="2026-11-16T10:00:00Z"
    )
    assert response.status_code == 201
    assert response.get_json()["duties_created"] == 3
    found = client.get(f"/api/v1/duties?case_id={case_id}", headers=bearer(duty_officer))
    due = {d["kind"]: d["due_at"] for d in found.get_json()["value"]}
    assert due == {
        "support_referral": "2026-11-18T23:59:59Z",
        "written_confirmation": "2026-11-23T23:59:59Z",
        "needs_assessment": "2026-11-23T23:59:59Z",
    }


def test_court_events_give_no_duties_when_witness_care_does_not_use_the_app(
    app: Flask, client: FlaskClient, session: Session, duty_officer: str
) -> None:
    app.config["WITNESS_CARE_IN_APP"] = False
    case_id = open_case(client, duty_officer, REFERENCE)
    add_victim_body(client, duty_officer, case_id)
    response = post_event(client, duty_officer, case_id, type="hearing_result",
                          occurred_at="2026-11-16T10:00:00Z",
                          details={"result": "guilty_plea"})  # fmt: skip
    assert response.status_code == 201
    assert response.get_json()["duties_created"] == 0
    assert session.scalar(select(func.count()).select_from(ContactDuty)) == 0


def test_a_victim_added_after_events_gets_the_duties_still_owed(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    add_victim_body(client, duty_officer, case_id)
    for event_type, occurred_at in (("crime_recorded", "2026-11-02T10:00:00Z"),
                                    ("arrested", "2026-11-05T10:00:00Z")):  # fmt: skip
        post_event(client, duty_officer, case_id, type=event_type, occurred_at=occurred_at)
    post_event(client, duty_officer, case_id, type="support_referral",
               occurred_at="2026-11-03T10:00:00Z", details={"service": "VS"})  # fmt: skip
    late = add_victim_body(client, duty_officer, case_id, first_name="Ana")
    found = client.get(f"/api/v1/duties?case_id={case_id}", headers=bearer(duty_officer))
    kinds = sorted(d["kind"] for d in found.get_json()["value"] if d["victim_id"] == late["id"])
    assert kinds == ["key_decision", "needs_assessment", "written_confirmation"]


def test_unknown_and_missing_detail_fields_are_named_and_nothing_is_stored(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    add_victim_body(client, duty_officer, case_id)
    response = post_event(client, duty_officer, case_id, type="no_further_action",
                          occurred_at="2026-11-20T10:00:00Z",
                          details={"reason_codes": ["other"], "decision_maker": "police",
                                   "colour": "blue"})  # fmt: skip
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {
        "details.colour", "details.suspect_interviewed", "details.reasons"
    }  # fmt: skip
    assert session.scalar(select(func.count()).select_from(InvestigationEvent)) == 0
    assert session.scalar(select(func.count()).select_from(ContactDuty)) == 0


def test_structured_details_are_stored_as_given_with_old_conditions_typed_other(
    client: FlaskClient, session: Session, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    details = {
        "charges": ["Burglary"], "court_name": "Cardiff Magistrates' Court",
        "court_name_cy": "Llys Ynadon Caerdydd", "court_address": "Fitzalan Place, Cardiff",
        "hearing_at": "2026-12-01T10:00:00Z", "remand_status": "bail_with_conditions",
        "conditions": [{"type": "curfew", "from_time": "19:00", "to_time": "07:00",
                        "protects_victim": False},
                       {"text": "Not to contact the victim", "protects_victim": True}],
    }  # fmt: skip
    response = post_event(client, duty_officer, case_id, type="charged",
                          occurred_at="2026-11-20T10:00:00Z", details=details)  # fmt: skip
    assert response.status_code == 201
    stored = session.scalars(select(InvestigationEvent)).one().details
    assert stored["conditions"][1] == {"type": "other", "text": "Not to contact the victim",
                                       "protects_victim": True}  # fmt: skip
    assert stored["remand_status"] == "bail_with_conditions"
    assert stored["court_name_cy"] == "Llys Ynadon Caerdydd"
    assert response.get_json()["details"] == stored


def test_closing_the_case_ends_the_agreed_updates_with_the_date_it_closed(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    add_victim_body(client, duty_officer, case_id, update_frequency_days=28)
    closed = post_event(client, duty_officer, case_id, type="case_closed",
                        occurred_at="2026-11-20T10:00:00Z",
                        details={"reason_codes": ["suspect_not_identified"]})  # fmt: skip
    assert closed.status_code == 201, closed.get_json()
    found = client.get(f"/api/v1/duties?case_id={case_id}", headers=bearer(duty_officer))
    periodic = next(d for d in found.get_json()["value"] if d["kind"] == "periodic_update")
    assert periodic["status"] == "not_required"
    assert periodic["reason"] == (
        "Not required: the case closed on 20 November 2026 (case closed)."
    )


def test_court_news_received_before_it_happened_is_refused_by_name(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    details = {"result": "adjourned", "received_at": "2026-11-19T10:00:00Z"}
    response = post_event(client, duty_officer, case_id, type="hearing_result",
                          occurred_at="2026-11-20T10:00:00Z", details=details)  # fmt: skip
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"details.received_at"}


def test_opting_out_makes_open_duties_not_required_saying_when_and_how(
    client: FlaskClient, duty_officer: str
) -> None:
    case_id = open_case(client, duty_officer, REFERENCE)
    victim = add_victim_body(client, duty_officer, case_id)
    post_event(client, duty_officer, case_id, type="arrested", occurred_at="2026-11-16T10:00:00Z")
    response = client.patch(
        f"/api/v1/victims/{victim['id']}",
        json={"opted_out_at": "2026-11-18T09:00:00Z", "opted_out_how": "in_person"},
        headers={**bearer(duty_officer), "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.get_json()
    post_event(client, duty_officer, case_id, type="interviewed",
               occurred_at="2026-11-19T10:00:00Z")  # fmt: skip
    found = client.get(f"/api/v1/duties?case_id={case_id}", headers=bearer(duty_officer))
    reason = "Not required: opted out on 18 November 2026 (in person)."
    assert [(d["event_type"], d["status"], d["reason"]) for d in found.get_json()["value"]] == [
        ("arrested", "not_required", reason),
        ("interviewed", "not_required", reason),
    ]
