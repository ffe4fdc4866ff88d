"""Templates through the API: versions, four-eyes review, diff, preview, lint and merge fields."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.models import AuditRecord, MessageTemplate, Team, TemplateVersion
from tests.factories import bearer, create_team, create_user, login

SMS_BODY = (
    "Hello {{ victim.first_name }}, this is {{ officer.name }} from {{ force.name }}. "
    "We have arrested someone in connection with crime {{ case.crime_reference }}. "
    "We will tell you what happens next. Call me on {{ officer.contact_phone }}."
)


@pytest.fixture
def team(session: Session) -> Team:
    """The team everyone here belongs to."""
    return create_team(session, name="Westfield Response")


@pytest.fixture
def tokens(app: Flask, client: FlaskClient, session: Session, team: Team) -> dict[str, str]:
    """Signed-in tokens for two supervisors, an officer and an admin."""
    people = {
        "author": "supervisor",
        "reviewer": "supervisor",
        "officer": "officer",
        "admin": "admin",
    }
    for username, role in people.items():
        create_user(app, session, username=username, role=role, team=team)
    return {username: str(login(client, username)["access_token"]) for username in people}


def _create(client: FlaskClient, token: str, **overrides: Any) -> Any:
    body = {
        "key": "arrested-sms-test",
        "channel": "sms",
        "language": "en",
        "event_type": "arrested",
        "name": "Suspect arrested (text)",
        "body": SMS_BODY,
        "change_note": "First draft.",
        **overrides,
    }
    return client.post("/api/v1/templates", json=body, headers=bearer(token))


def _post(client: FlaskClient, token: str, path: str, body: Any = None) -> Any:
    return client.post(f"/api/v1/templates/{path}", json=body or {}, headers=bearer(token))


def _published(client: FlaskClient, tokens: dict[str, str]) -> None:
    """Create the test template and take version 1 through review."""
    assert _create(client, tokens["author"]).status_code == 201
    assert _post(client, tokens["author"], "arrested-sms-test/versions/1/submit").status_code == 200
    approved = _post(client, tokens["reviewer"], "arrested-sms-test/versions/1/approve")
    assert approved.status_code == 200, approved.get_json()


def test_supervisor_creates_a_template_as_a_draft_with_fields_and_lint(
    client: FlaskClient, tokens: dict[str, str], session: Session
) -> None:
    response = _create(client, tokens["author"])

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["number"] == 1
    assert body["status"] == "draft"
    assert body["template"]["key"] == "arrested-sms-test"
    assert "published_version" not in body["template"]
    assert "case.crime_reference" in body["fields"]
    assert body["lint"]["ok"] is True
    assert body["lint"]["sms"]["encoding"] == "GSM-7"
    stored = session.scalars(select(TemplateVersion)).one()
    assert stored.status == "draft"
    assert stored.body == SMS_BODY


def test_officer_cannot_create_or_see_a_draft_template(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    assert _create(client, tokens["officer"]).status_code == 403
    _create(client, tokens["author"])

    listed = client.get("/api/v1/templates", headers=bearer(tokens["officer"]))
    read = client.get("/api/v1/templates/arrested-sms-test", headers=bearer(tokens["officer"]))
    version = client.get(
        "/api/v1/templates/arrested-sms-test/versions/1", headers=bearer(tokens["officer"])
    )

    assert listed.get_json()["value"] == []
    assert read.status_code == 404
    assert version.status_code == 404


def test_a_taken_key_is_a_conflict(client: FlaskClient, tokens: dict[str, str]) -> None:
    _create(client, tokens["author"])
    assert _create(client, tokens["reviewer"]).status_code == 409


def test_unknown_merge_fields_are_refused_and_listed(
    client: FlaskClient, tokens: dict[str, str], session: Session
) -> None:
    body = SMS_BODY + "\n{{ victim.date_of_birth }} {{ suspect.name }}"
    response = _create(client, tokens["author"], body=body)

    assert response.status_code == 422
    problem = response.get_json()
    text = " ".join(problem["errors"]["body"])
    assert "victim.date_of_birth" in text
    assert "suspect.name" in text
    assert all(p["line"] == 2 for p in problem["problems"])
    assert session.scalars(select(MessageTemplate)).first() is None


@pytest.mark.parametrize(
    "hostile",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ victim|attr('__class__') }}",
        "{{ 9**9**9 }}",
        "{% set a = 'x' %}{{ a }}",
        "{% include 'secrets' %}",
        "{{ lipsum() }}",
        "(" * 10_000 + ")" * 10_000,
    ],
)
def test_hostile_templates_are_refused_at_save_with_a_422(
    client: FlaskClient, tokens: dict[str, str], hostile: str
) -> None:
    response = _create(client, tokens["author"], body=hostile)

    assert response.status_code == 422
    assert response.get_json()["errors"]["body"]


def test_email_needs_a_subject_and_texts_may_not_have_one(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    email = _create(client, tokens["author"], key="e1", channel="email")
    sms = _create(client, tokens["author"], key="s1", subject="Hello")

    assert email.status_code == 422
    assert "subject" in email.get_json()["errors"]
    assert sms.status_code == 422


def test_saving_the_same_text_makes_no_new_version(
    client: FlaskClient, tokens: dict[str, str], session: Session
) -> None:
    _create(client, tokens["author"])

    same = _post(client, tokens["author"], "arrested-sms-test/versions", {"body": SMS_BODY})
    changed = _post(
        client,
        tokens["author"],
        "arrested-sms-test/versions",
        {"body": SMS_BODY + " Thank you.", "change_note": "Thank them."},
    )

    assert same.status_code == 200
    assert same.get_json()["number"] == 1
    assert changed.status_code == 201
    assert changed.get_json()["number"] == 2
    assert changed.get_json()["change_note"] == "Thank them."
    assert len(session.scalars(select(TemplateVersion)).all()) == 2


def test_author_cannot_approve_their_own_version(
    client: FlaskClient, tokens: dict[str, str], session: Session
) -> None:
    _create(client, tokens["author"])
    _post(client, tokens["author"], "arrested-sms-test/versions/1/submit")

    response = _post(client, tokens["author"], "arrested-sms-test/versions/1/approve")

    assert response.status_code == 403
    assert response.get_json()["code"] == "four_eyes"
    assert session.scalars(select(TemplateVersion.status)).one() == "submitted"


def test_only_a_submitted_version_can_be_approved(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    _create(client, tokens["author"])
    response = _post(client, tokens["reviewer"], "arrested-sms-test/versions/1/approve")
    assert response.status_code == 409


def test_approval_publishes_and_officers_then_see_it(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    _published(client, tokens)

    read = client.get("/api/v1/templates/arrested-sms-test", headers=bearer(tokens["officer"]))
    version = client.get(
        "/api/v1/templates/arrested-sms-test/versions/1", headers=bearer(tokens["officer"])
    ).get_json()

    assert read.status_code == 200
    assert read.get_json()["published_version"] == 1
    assert version["status"] == "published"
    assert version["reviewed_by_name"]
    assert version["submitted_at"]


def test_publishing_a_new_version_supersedes_the_old_one(
    client: FlaskClient, tokens: dict[str, str], session: Session
) -> None:
    _published(client, tokens)
    _post(client, tokens["author"], "arrested-sms-test/versions", {"body": SMS_BODY + " Thanks."})
    _post(client, tokens["author"], "arrested-sms-test/versions/2/submit")
    _post(client, tokens["reviewer"], "arrested-sms-test/versions/2/approve")

    statuses = dict(session.execute(select(TemplateVersion.number, TemplateVersion.status)).all())
    officer_view = client.get(
        "/api/v1/templates/arrested-sms-test/versions", headers=bearer(tokens["officer"])
    ).get_json()

    assert statuses == {1: "superseded", 2: "published"}
    assert [v["number"] for v in officer_view["value"]] == [2, 1]


def test_officers_never_see_drafts_in_the_version_list(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    _published(client, tokens)
    _post(client, tokens["author"], "arrested-sms-test/versions", {"body": SMS_BODY + " Draft."})

    officer = client.get(
        "/api/v1/templates/arrested-sms-test/versions", headers=bearer(tokens["officer"])
    ).get_json()
    supervisor = client.get(
        "/api/v1/templates/arrested-sms-test/versions", headers=bearer(tokens["reviewer"])
    ).get_json()

    assert [v["number"] for v in officer["value"]] == [1]
    assert [v["number"] for v in supervisor["value"]] == [2, 1]


def test_rejection_needs_a_reason_and_records_who(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    _create(client, tokens["author"])
    _post(client, tokens["author"], "arrested-sms-test/versions/1/submit")

    no_reason = _post(client, tokens["reviewer"], "arrested-sms-test/versions/1/reject")
    rejected = _post(
        client,
        tokens["reviewer"],
        "arrested-sms-test/versions/1/reject",
        {"reason": "Say who to call first."},
    )

    assert no_reason.status_code == 422
    assert rejected.status_code == 200
    assert rejected.get_json()["status"] == "rejected"
    assert rejected.get_json()["rejection_reason"] == "Say who to call first."
    assert rejected.get_json()["reviewed_at"]


def test_lint_errors_block_submission(client: FlaskClient, tokens: dict[str, str]) -> None:
    _create(client, tokens["author"], body="Hello {{ victim.first_name }}, we arrested someone.")

    response = _post(client, tokens["author"], "arrested-sms-test/versions/1/submit")

    assert response.status_code == 422
    assert response.get_json()["errors"]["lint"]


def test_restoring_an_old_text_makes_a_new_version(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    _create(client, tokens["author"])
    _post(client, tokens["author"], "arrested-sms-test/versions", {"body": SMS_BODY + " Two."})

    restored = _post(client, tokens["author"], "arrested-sms-test/versions", {"restore_from": 1})

    assert restored.status_code == 201
    body = restored.get_json()
    assert body["number"] == 3
    assert body["restored_from"] == 1
    assert body["body"] == SMS_BODY
    assert "version 1" in body["change_note"]


def test_diff_shows_what_changed(client: FlaskClient, tokens: dict[str, str]) -> None:
    _create(client, tokens["author"])
    _post(client, tokens["author"], "arrested-sms-test/versions", {"body": SMS_BODY + "\nBye."})

    diff = client.get(
        "/api/v1/templates/arrested-sms-test/versions/2/diff?against=1",
        headers=bearer(tokens["reviewer"]),
    )
    same = client.get(
        "/api/v1/templates/arrested-sms-test/versions/1/diff?against=1",
        headers=bearer(tokens["reviewer"]),
    )
    officer = client.get(
        "/api/v1/templates/arrested-sms-test/versions/2/diff?against=1",
        headers=bearer(tokens["officer"]),
    )

    assert diff.status_code == 200
    text = diff.get_json()["diff"]
    assert "--- version 1 body" in text
    assert "+++ version 2 body" in text
    assert "+Bye." in text
    assert same.get_json()["changed"] is False
    assert officer.status_code == 403


def test_retired_templates_disappear_for_officers_and_cannot_change(
    client: FlaskClient, tokens: dict[str, str], session: Session
) -> None:
    _published(client, tokens)

    retired = _post(client, tokens["reviewer"], "arrested-sms-test/retire", {"reason": "Old."})
    officer = client.get("/api/v1/templates/arrested-sms-test", headers=bearer(tokens["officer"]))
    save = _post(client, tokens["author"], "arrested-sms-test/versions", {"body": SMS_BODY + "!"})

    assert retired.status_code == 200
    assert retired.get_json()["status"] == "retired"
    assert officer.status_code == 404
    assert save.status_code == 409
    template = session.scalars(select(MessageTemplate)).one()
    assert template.retired_by_id is not None


def test_preview_with_sample_data(client: FlaskClient, tokens: dict[str, str]) -> None:
    _published(client, tokens)

    response = _post(client, tokens["officer"], "arrested-sms-test/preview")

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["sample"] is True
    assert body["version"] == 1
    assert "Hello Sam" in body["body"]
    assert "{{" not in body["body"]
    assert body["lint"]["sms"]["fragments"] >= 1


def _case_with_victim(client: FlaskClient, token: str) -> tuple[str, str]:
    case = client.post(
        "/api/v1/cases",
        json={"crime_reference": "42/7777/26", "offence": "Burglary of a home"},
        headers=bearer(token),
    ).get_json()
    victim = client.post(
        f"/api/v1/cases/{case['id']}/victims",
        json={
            "first_name": "Priya",
            "last_name": "Shah",
            "phone": "07700 900123",
            "preferred_channel": "sms",
            "safe_channels": ["sms"],
        },
        headers=bearer(token),
    ).get_json()
    return str(case["id"]), str(victim["id"])


def test_preview_with_a_real_case_merges_it_and_is_audited(
    client: FlaskClient, tokens: dict[str, str], session: Session
) -> None:
    _published(client, tokens)
    case_id, victim_id = _case_with_victim(client, tokens["officer"])

    response = _post(
        client,
        tokens["officer"],
        "arrested-sms-test/preview",
        {"case_id": case_id, "victim_id": victim_id},
    )

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["sample"] is False
    assert "Hello Priya" in body["body"]
    assert "42/7777/26" in body["body"]
    combined = session.scalars(
        select(AuditRecord).where(AuditRecord.operation == "combination")
    ).all()
    assert [record.resource_id for record in combined] == [victim_id]


def test_preview_gives_the_officers_work_phone_as_people_write_it(
    app: Flask, client: FlaskClient, session: Session, team: Team, tokens: dict[str, str]
) -> None:
    _published(client, tokens)
    create_user(app, session, username="pc.phone", team=team, phone="+442079460123")
    token = str(login(client, "pc.phone")["access_token"])
    case_id, victim_id = _case_with_victim(client, token)

    body = _post(
        client, token, "arrested-sms-test/preview", {"case_id": case_id, "victim_id": victim_id}
    ).get_json()["body"]

    assert "Call me on 020 7946 0123." in body


def test_preview_falls_back_to_the_force_number_without_a_work_phone(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    _published(client, tokens)
    case_id, victim_id = _case_with_victim(client, tokens["officer"])

    body = _post(
        client,
        tokens["officer"],
        "arrested-sms-test/preview",
        {"case_id": case_id, "victim_id": victim_id},
    ).get_json()["body"]

    assert "Call me on 101." in body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"victim_id": "6a1f8f0e-7d1c-4c55-9a37-1f1c2b8a9e10"}, "case_id"),
        ({"case_id": "6a1f8f0e-7d1c-4c55-9a37-1f1c2b8a9e10"}, "victim_id"),
        ({"version": 99_999_999_999}, "version"),
    ],
)
def test_preview_refuses_incomplete_or_impossible_requests(
    client: FlaskClient, tokens: dict[str, str], body: dict[str, Any], field: str
) -> None:
    _published(client, tokens)

    response = _post(client, tokens["officer"], "arrested-sms-test/preview", body)

    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_a_version_number_beyond_any_template_is_not_found(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    _published(client, tokens)
    response = client.get(
        "/api/v1/templates/arrested-sms-test/versions/99999999999",
        headers=bearer(tokens["author"]),
    )
    assert response.status_code == 404


def test_preview_of_another_teams_case_is_not_found(
    app: Flask, client: FlaskClient, session: Session, tokens: dict[str, str]
) -> None:
    _published(client, tokens)
    case_id, victim_id = _case_with_victim(client, tokens["officer"])
    create_user(app, session, username="outsider", team=create_team(session))
    outsider = str(login(client, "outsider")["access_token"])

    response = _post(
        client, outsider, "arrested-sms-test/preview", {"case_id": case_id, "victim_id": victim_id}
    )

    assert response.status_code == 404


def test_preview_names_missing_case_data_instead_of_leaving_a_blank(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    body = SMS_BODY + " It happened on {{ event.date }}."
    _create(client, tokens["author"], body=body)
    case_id, victim_id = _case_with_victim(client, tokens["officer"])

    response = _post(
        client,
        tokens["author"],
        "arrested-sms-test/preview",
        {"case_id": case_id, "victim_id": victim_id},
    )

    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "missing_data"
    assert "event.date" in problem["errors"]


def test_lint_endpoint_reports_errors_warnings_and_sms_counts(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/templates/lint",
        json={"channel": "sms", "body": "The suspect got NFA. {{ victim.first_name }}"},
        headers=bearer(tokens["author"]),
    )
    refused = client.post(
        "/api/v1/templates/lint",
        json={"channel": "sms", "body": "{{ victim.__class__ }}"},
        headers=bearer(tokens["author"]),
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is False
    codes = {issue["code"] for issue in body["errors"] + body["warnings"]}
    assert {"missing_crime_reference", "missing_officer_contact"} <= codes
    assert any("NFA" in issue["message"] for issue in body["warnings"])
    assert body["fields"] == ["victim.first_name"]
    assert body["sms"]["fragments"] == 1
    assert refused.get_json()["ok"] is False
    assert refused.get_json()["fields"] == []


def test_merge_field_catalogue_has_descriptions_and_examples(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    response = client.get("/api/v1/template-fields", headers=bearer(tokens["officer"]))

    assert response.status_code == 200
    fields = {field["name"]: field for field in response.get_json()["value"]}
    assert fields["victim.first_name"]["example"] == "Sam"
    assert fields["case.crime_reference"]["description"]
    assert all(field["description"] for field in fields.values())


def test_create_with_the_same_idempotency_key_makes_one_template(
    client: FlaskClient, tokens: dict[str, str], session: Session
) -> None:
    headers = {**bearer(tokens["author"]), "Idempotency-Key": "tap-1"}
    body = {
        "key": "k1",
        "channel": "sms",
        "language": "en",
        "event_type": "arrested",
        "name": "n",
        "body": SMS_BODY,
    }
    first = client.post("/api/v1/templates", json=body, headers=headers)
    second = client.post("/api/v1/templates", json=body, headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert len(session.scalars(select(MessageTemplate)).all()) == 1
