"""Refusals on protected routes are recorded once: by the service that knows the resource, or
as a route when no service did (a 404 from a lookup that records nothing of its own)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import audit_rows, bearer, create_team, create_user, login


def test_a_404_no_service_recorded_is_recorded_as_a_denied_route(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.looks")
    token = login(client, "pc.looks")["access_token"]

    response = client.get(
        "/api/v1/templates/no-such-template", headers={**bearer(token), "X-Request-Id": "req-404"}
    )

    assert response.status_code == 404
    [refused] = audit_rows(session, resource_type="route")
    assert (refused.actor_name, refused.operation, refused.outcome, refused.reason) == (
        "pc.looks",
        "consultation",
        "denied",
        "not_found",
    )
    assert (refused.resource_id, refused.request_id) == (
        "GET /api/v1/templates/no-such-template",
        "req-404",
    )


def test_a_404_the_service_recorded_against_the_case_is_not_recorded_again(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    north, south = create_team(session, name="North R"), create_team(session, name="South R")
    create_user(app, session, username="pc.north.r", team=north)
    create_user(app, session, username="pc.south.r", team=south)
    owner = login(client, "pc.north.r")["access_token"]
    case = client.post(
        "/api/v1/cases",
        json={"crime_reference": "42/4040/26", "offence": "Theft"},
        headers=bearer(owner),
    ).get_json()
    stranger = login(client, "pc.south.r")["access_token"]

    response = client.get(f"/api/v1/cases/{case['id']}", headers=bearer(stranger))

    assert response.status_code == 404
    denied = audit_rows(session, outcome="denied")
    assert [(r.resource_type, r.resource_id, r.actor_name) for r in denied] == [
        ("case", case["id"], "pc.south.r")
    ]


def test_an_unrouted_url_leaves_no_record_even_when_signed_in(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="pc.wanders")
    token = login(client, "pc.wanders")["access_token"]

    assert client.get("/api/v1/nowhere", headers=bearer(token)).status_code == 404
    assert audit_rows(session, resource_type="route") == []
