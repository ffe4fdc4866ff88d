"""The template list narrowed to what fits a victim and a duty: the message picker's choices."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import Team
from fieldapp.services.templates.library import import_library
from tests.factories import audit_rows, bearer, create_team, create_user, login
from tests.factories.cases import add_victim, arrest_duty, open_case, record_arrest


@pytest.fixture
def team(session: Session) -> Team:
    """The officers' team, with the built-in template library published."""
    import_library(session, load_library(LIBRARY_DIRECTORY))
    session.commit()
    return create_team(session, name="Riverside")


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session, team: Team) -> str:
    """The officer in charge's token."""
    create_user(app, session, username="pc.picker", team=team)
    return str(login(client, "pc.picker")["access_token"])


def _case(client: FlaskClient, officer: str, **victim: Any) -> tuple[str, str, str]:
    """A case with one victim of the given profile and an arrest: (case, victim, duty) ids."""
    case_id = open_case(client, officer)
    victim_id = add_victim(client, officer, case_id, **victim)
    record_arrest(client, officer, case_id)
    return case_id, victim_id, str(arrest_duty(client, officer, case_id)["id"])


def _keys(client: FlaskClient, credential: dict[str, str], **query: str) -> list[str]:
    """The keys the template list answers with for a query (one page of 100)."""
    response = client.get("/api/v1/templates", query_string={**query, "limit": "100"},
                          headers=credential)  # fmt: skip
    assert response.status_code == 200, response.get_json()
    return [template["key"] for template in response.get_json()["value"]]


def test_a_duty_and_its_victim_narrow_the_list_to_the_news_channels_and_language(
    client: FlaskClient, officer: str
) -> None:
    _, victim_id, duty_id = _case(client, officer)
    everything = _keys(client, bearer(officer))
    assert {"arrested-sms-cy", "arrested-letter-en", "contentless-sms-en"} <= set(everything)

    assert _keys(client, bearer(officer), duty_id=duty_id) == [
        "arrested-email-en",
        "arrested-sms-en",
    ]
    assert _keys(client, bearer(officer), duty_id=duty_id, victim_id=victim_id) == [
        "arrested-email-en",
        "arrested-sms-en",
    ]
    for_the_person = _keys(client, bearer(officer), victim_id=victim_id)
    assert {"arrested-sms-en", "periodic-update-email-en"} <= set(for_the_person)
    assert all(key.endswith(("-sms-en", "-email-en")) for key in for_the_person)
    assert not [key for key in for_the_person if key.startswith("contentless")]


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ({"language": "cy", "safe_channels": ["sms"]}, ["arrested-sms-cy"]),
        (
            {"language": "bilingual", "safe_channels": ["sms"]},
            ["arrested-sms-cy", "arrested-sms-en"],
        ),
        ({"contentless": True, "safe_channels": ["sms"]}, ["contentless-sms-en"]),
        (
            {
                "accessible_format": "large_print",
                "safe_channels": ["sms", "email", "letter"],
                "postal_address": ["1 High Street", "Riverside", "RV1 1AA"],
            },
            ["arrested-letter-en"],
        ),
        ({"interpreter_language": "pl"}, []),
    ],
)
def test_only_templates_a_write_takes_for_the_persons_needs_are_offered(
    client: FlaskClient, officer: str, profile: dict[str, Any], expected: list[str]
) -> None:
    _, victim_id, duty_id = _case(client, officer, **profile)
    assert _keys(client, bearer(officer), duty_id=duty_id, victim_id=victim_id) == expected


def test_another_teams_or_an_unknown_victim_or_duty_is_not_found_and_audited(
    app: Flask, client: FlaskClient, session: Session, officer: str
) -> None:
    _, victim_id, duty_id = _case(client, officer)
    create_user(app, session, username="pc.elsewhere", team=create_team(session, name="Hilltop"))
    other = str(login(client, "pc.elsewhere")["access_token"])
    _, other_victim, _ = _case(client, other)

    for query in (
        {"victim_id": victim_id},
        {"duty_id": duty_id},
        {"victim_id": "00000000-0000-4000-8000-000000000000"},
    ):
        response = client.get("/api/v1/templates", query_string=query, headers=bearer(other))
        assert response.status_code == 404, query
        assert response.content_type.startswith("application/problem+json")
    mismatched = client.get(
        "/api/v1/templates",
        query_string={"duty_id": duty_id, "victim_id": other_victim},
        headers=bearer(officer),
    )
    assert mismatched.status_code == 404
    denied = {(row.resource_type, row.resource_id) for row in audit_rows(session, outcome="denied")}
    assert {("victim", victim_id), ("duty", duty_id)} <= denied
    empty = client.get("/api/v1/templates?victim_id=&duty_id=", headers=bearer(officer))
    assert empty.status_code == 200
    bad = client.get("/api/v1/templates?victim_id=nope", headers=bearer(officer))
    assert bad.status_code == 422


def test_a_key_needs_the_victims_and_duties_scopes_to_narrow_by_them(
    app: Flask, client: FlaskClient, session: Session, team: Team, officer: str
) -> None:
    _, victim_id, duty_id = _case(client, officer)
    user = create_user(app, session, username="pc.flow", team=team)
    create_user(app, session, username="admin.fit", role="admin", team=team)
    admin = bearer(str(login(client, "admin.fit")["access_token"]))

    def key(*scopes: str) -> dict[str, str]:
        body = {"name": "Flow", "user_id": str(user.id), "scopes": list(scopes)}
        response = client.post("/api/v1/api-keys", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        return {"X-API-Key": str(response.get_json()["key"])}

    narrow = key("templates:read")
    assert "arrested-sms-cy" in _keys(client, narrow)
    refused = client.get("/api/v1/templates", query_string={"victim_id": victim_id}, headers=narrow)
    assert refused.status_code == 403
    assert refused.get_json()["required_scope"] == "victims:read"
    refused = client.get("/api/v1/templates", query_string={"duty_id": duty_id}, headers=narrow)
    assert refused.get_json()["required_scope"] == "duties:read"

    wide = key("templates:read", "victims:read", "duties:read")
    assert _keys(client, wide, duty_id=duty_id) == ["arrested-email-en", "arrested-sms-en"]
