"""Real error responses are what the document's Problem schema says they are."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import bearer, create_user, login
from tests.factories.cases import open_case_body
from tests.factories.messages import issue_key
from tests.web.openapi_document import document, validator_for


def _problem_errors(body: Any) -> list[str]:
    """What the Problem schema finds wrong with a body."""
    return [error.message for error in validator_for("Problem").iter_errors(body)]


@pytest.fixture
def officer_token(app: Flask, client: FlaskClient, session: Session) -> str:
    """A signed-in officer."""
    create_user(app, session, username="pc.problem")
    return str(login(client, "pc.problem")["access_token"])


def test_a_stale_if_match_is_a_documented_problem(client: FlaskClient, officer_token: str) -> None:
    case = open_case_body(client, officer_token, "42/9101/26")
    stale = client.patch(
        f"/api/v1/cases/{case['id']}",
        json={"status": "closed"},
        headers={**bearer(officer_token), "If-Match": '"9"'},
    )
    assert stale.status_code == 412
    assert stale.get_json()["current_version"] == 1
    assert _problem_errors(stale.get_json()) == []


def test_a_missing_scope_is_a_documented_problem(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = create_user(app, session, username="pc.scoped")
    key = issue_key(session, user, ["cases:read"])
    refused = client.post(
        "/api/v1/cases", json={"crime_reference": "42/9102/26"}, headers={"X-API-Key": key}
    )
    assert refused.status_code == 403
    assert refused.get_json()["required_scope"] == "cases:write"
    assert _problem_errors(refused.get_json()) == []


def test_a_template_that_fails_lint_is_a_documented_problem(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="sgt.author", role="supervisor")
    token = str(login(client, "sgt.author")["access_token"])
    body = {
        "key": "arrested-sms-problem",
        "channel": "sms",
        "language": "en",
        "event_type": "arrested",
        "name": "Suspect arrested (text)",
        "body": "Hello {{ victim.first_name }}.\n{{ suspect.name }} was arrested.",
        "change_note": "First draft.",
    }
    refused = client.post("/api/v1/templates", json=body, headers=bearer(token))
    assert refused.status_code == 422
    assert refused.get_json()["problems"][0]["line"] == 2
    assert _problem_errors(refused.get_json()) == []


def test_every_extension_member_sent_is_documented() -> None:
    documented = set(document()["components"]["schemas"]["Problem"]["properties"])
    sent = {"current_version", "required_scope", "problems", "missing_items", "void_reason"}
    assert sent <= documented
    assert document()["components"]["schemas"]["Problem"]["additionalProperties"] is True


def test_the_problem_schema_can_refuse_a_body() -> None:
    assert _problem_errors({"type": "x", "status": "not a number"})
