"""The audit trail of template administration: each step, four-eyes refusals, unsafe wordings."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from fieldapp.models import Team
from tests.api.test_templates import SMS_BODY, _create, _post
from tests.factories import audit_rows, bearer, create_team, create_user, login

KEY = "arrested-sms-test"
INJECTION = "Hello {{ victim.__class__.__mro__ }} {{ officer.name.upper() }}"


@pytest.fixture
def tokens(app: Flask, client: FlaskClient, session: Session) -> dict[str, str]:
    """Signed-in tokens for two supervisors and an officer of one team."""
    team: Team = create_team(session, name="Trail Response")
    people = {"author": "supervisor", "reviewer": "supervisor", "officer": "officer"}
    for username, role in people.items():
        create_user(app, session, username=username, role=role, team=team)
    return {username: str(login(client, username)["access_token"]) for username in people}


def _steps(session: Session) -> list[tuple[str, str, str, str | None]]:
    return [
        (r.actor_name, r.resource_id, r.outcome, r.reason)
        for r in audit_rows(session, resource_type="template")
    ]


def test_every_step_of_a_template_life_is_an_administration_record(
    client: FlaskClient, session: Session, tokens: dict[str, str]
) -> None:
    author, reviewer = tokens["author"], tokens["reviewer"]
    assert _create(client, author).status_code == 201
    assert _post(client, author, f"{KEY}/versions/1/submit").status_code == 200
    assert _post(client, reviewer, f"{KEY}/versions/1/approve").status_code == 200
    assert _post(client, author, f"{KEY}/versions", {"body": SMS_BODY + " Two."}).status_code
    assert _post(client, author, f"{KEY}/versions/2/submit").status_code == 200
    rejected = _post(client, reviewer, f"{KEY}/versions/2/reject", {"reason": "Too long."})
    assert rejected.status_code == 200
    restored = _post(client, author, f"{KEY}/versions", {"restore_from": 1})
    assert restored.status_code == 201
    assert _post(client, reviewer, f"{KEY}/retire", {"reason": "Replaced."}).status_code == 200
    assert _steps(session) == [
        ("author", f"{KEY}/1", "allowed", "created"),
        ("author", f"{KEY}/1", "allowed", "submitted"),
        ("reviewer", f"{KEY}/1", "allowed", "approved"),
        ("author", f"{KEY}/2", "allowed", "saved"),
        ("author", f"{KEY}/2", "allowed", "submitted"),
        ("reviewer", f"{KEY}/2", "allowed", "rejected"),
        ("author", f"{KEY}/3", "allowed", "restored"),
        ("reviewer", KEY, "allowed", "retired"),
    ]
    assert {r.operation for r in audit_rows(session, resource_type="template")} == {
        "administration"
    }


def test_an_author_approving_their_own_version_is_refused_and_audited_once(
    client: FlaskClient, session: Session, tokens: dict[str, str]
) -> None:
    _create(client, tokens["author"])
    _post(client, tokens["author"], f"{KEY}/versions/1/submit")
    response = client.post(
        f"/api/v1/templates/{KEY}/versions/1/approve",
        headers={**bearer(tokens["author"]), "X-Request-Id": "req-4eyes"},
    )
    assert response.status_code == 403
    assert response.get_json()["code"] == "four_eyes"
    [denied] = audit_rows(session, outcome="denied")
    assert (denied.resource_type, denied.resource_id, denied.reason) == (
        "template",
        f"{KEY}/1",
        "four_eyes: approve",
    )
    assert (denied.actor_name, denied.request_id) == ("author", "req-4eyes")
    assert denied.session_id is not None


def test_an_officer_trying_to_write_a_template_is_a_recorded_403(
    client: FlaskClient, session: Session, tokens: dict[str, str]
) -> None:
    assert _create(client, tokens["officer"]).status_code == 403
    [refused] = audit_rows(session, outcome="denied")
    assert (refused.resource_type, refused.resource_id) == ("route", "POST /api/v1/templates")
    assert (refused.actor_name, refused.operation, refused.reason) == (
        "officer",
        "alteration",
        "forbidden",
    )
    assert _steps(session) == []


def test_an_unsafe_wording_at_save_is_refused_and_audited_without_its_text(
    client: FlaskClient, session: Session, tokens: dict[str, str]
) -> None:
    response = _create(client, tokens["author"], body=INJECTION)
    assert response.status_code == 422
    [denied] = audit_rows(session, resource_type="template")
    assert (denied.resource_id, denied.outcome, denied.actor_name) == (KEY, "denied", "author")
    assert denied.reason == "unsafe_template: call,private_name"
    assert "__class__" not in repr(vars(denied)) and "upper" not in repr(vars(denied))


def test_an_unsafe_wording_sent_to_lint_is_audited_but_a_typo_is_not(
    client: FlaskClient, session: Session, tokens: dict[str, str]
) -> None:
    lint = {"channel": "sms", "language": "en"}
    headers = bearer(tokens["author"])
    typo = client.post(
        "/api/v1/templates/lint",
        json={**lint, "body": "Hi {{ victim.frist_name }"},
        headers=headers,
    )
    assert typo.status_code == 200 and typo.get_json()["ok"] is False
    assert audit_rows(session, resource_type="template") == []
    unsafe = client.post(
        "/api/v1/templates/lint", json={**lint, "body": "{{ range(10) }}"}, headers=headers
    )
    assert unsafe.status_code == 200 and unsafe.get_json()["ok"] is False
    assert _steps(session) == [("author", "lint", "denied", "unsafe_template: call")]


def test_an_unsafe_new_version_is_refused_and_the_template_is_unchanged(
    client: FlaskClient, session: Session, tokens: dict[str, str]
) -> None:
    _create(client, tokens["author"])
    response = _post(client, tokens["author"], f"{KEY}/versions", {"body": "{% set x = 1 %}"})
    assert response.status_code == 422
    assert _steps(session) == [
        ("author", f"{KEY}/1", "allowed", "created"),
        ("author", KEY, "denied", "unsafe_template: set"),
    ]
    versions = client.get(f"/api/v1/templates/{KEY}/versions", headers=bearer(tokens["author"]))
    assert [v["number"] for v in versions.get_json()["value"]] == [1]


def test_previewing_a_victim_of_another_case_is_a_denied_combination(
    client: FlaskClient, session: Session, tokens: dict[str, str]
) -> None:
    officer = bearer(tokens["officer"])
    cases = []
    for reference in ("42/8801/26", "42/8802/26"):
        case = client.post(
            "/api/v1/cases",
            json={"crime_reference": reference, "offence": "Theft"},
            headers=officer,
        ).get_json()
        victim = client.post(
            f"/api/v1/cases/{case['id']}/victims",
            json={"first_name": "Sam", "last_name": "Jones", "preferred_channel": "letter",
                  "safe_channels": ["letter"],
                  "postal_address": ["Sam Jones", "9 Quillon Mews", "Tumbledown", "CF10 1AA"]},
            headers=officer,
        ).get_json()  # fmt: skip
        cases.append((case["id"], victim["id"]))
    (first_case, _), (_, other_victim) = cases
    assert _create(client, tokens["author"]).status_code == 201
    response = _post(
        client,
        tokens["author"],
        f"{KEY}/preview",
        {"case_id": first_case, "victim_id": other_victim},
    )
    assert response.status_code == 404
    [denied] = audit_rows(session, operation="combination")
    assert (denied.resource_id, denied.outcome, denied.actor_name) == (
        other_victim,
        "denied",
        "author",
    )
