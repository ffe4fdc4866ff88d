"""Route inventory: every route is either on the explicit public list or needs sign-in."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from fieldapp.core.roles import ROLES
from fieldapp.web.access import PUBLIC_ENDPOINTS, AccessPolicy
from tests.console.conftest import console_login
from tests.factories import audit_rows, bearer, create_team, create_user, login


def _concrete_path(rule: str) -> str:
    """Fill a rule's variables with plausible values."""
    path = rule
    for name in (
        "session_id",
        "user_id",
        "case_id",
        "victim_id",
        "duty_id",
        "message_id",
        "key_id",
        "webhook_id",
    ):
        path = path.replace(f"<uuid:{name}>", str(uuid.uuid4()))
    path = path.replace("<string(maxlength=80):key>", "arrested-sms-en")
    path = path.replace("<int(max=1000000):number>", "1")
    return path.replace("<path:filename>", "swagger-ui.css")


def test_every_route_is_public_or_declares_who_may_call_it(app: Flask) -> None:
    undeclared = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        policy = getattr(view, "access_policy", None)
        if rule.endpoint in PUBLIC_ENDPOINTS:
            assert policy is None, f"{rule.endpoint} is public and also declares roles"
        elif not isinstance(policy, AccessPolicy):
            undeclared.append(f"{rule.rule} -> {rule.endpoint}")
    assert undeclared == [], "routes neither public nor declared"


def test_the_public_list_names_only_real_endpoints(app: Flask) -> None:
    assert set(app.view_functions) >= PUBLIC_ENDPOINTS


def test_every_non_public_route_refuses_a_caller_without_a_token_and_records_it(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    expected = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = _concrete_path(rule.rule)
        assert "<" not in path, f"add a sample value for {rule.rule}"
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(
                path,
                method=method,
                json={} if method != "GET" else None,
                headers={"X-Request-Id": f"walk-{len(expected)}"},
            )
            if rule.endpoint.startswith("console."):
                # A console page sends the browser to "Sign in" (a form post gets a 401 page).
                if method == "GET":
                    assert response.status_code == 303, f"{method} {rule.rule}"
                    assert response.location.startswith("/console/sign-in?next=")
                else:
                    assert response.status_code == 401, f"{method} {rule.rule}"
                    assert "Sign in to continue" in response.text
            else:
                assert response.status_code == 401, f"{method} {rule.rule} answered without a token"
                assert response.get_json()["code"] == "unauthorized"
            expected.append((f"{method} {path}"[:64], f"walk-{len(expected)}"))
    assert len(expected) >= 12
    refusals = audit_rows(session, resource_type="route")
    assert [(r.resource_id, r.request_id) for r in refusals] == expected
    assert {(r.actor_name, r.operation, r.outcome, r.reason) for r in refusals} == {
        ("anonymous", "authentication", "denied", "unauthorized")
    }
    assert {r.client_address for r in refusals} == {"127.0.0.1"}


def test_every_role_refused_by_a_route_is_a_recorded_403(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    team = create_team(session)
    tokens = {}
    browsers = {}
    for role in ROLES:
        create_user(app, session, username=f"walker.{role}", role=role, team=team)
        tokens[role] = login(client, f"walker.{role}")["access_token"]
        browsers[role] = app.test_client()
        console_login(browsers[role], f"walker.{role}")
    expected = []
    for rule in app.url_map.iter_rules():
        policy = getattr(app.view_functions[rule.endpoint], "access_policy", None)
        if policy is None or policy.refresh:
            continue
        path = _concrete_path(rule.rule)
        for role in sorted(set(ROLES) - policy.roles):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                body = {} if method != "GET" else None
                if rule.endpoint.startswith("console."):
                    response = browsers[role].open(path, method=method, data=body)
                else:
                    response = client.open(
                        path, method=method, json=body, headers=bearer(tokens[role])
                    )
                assert response.status_code == 403, f"{role} may {method} {rule.rule}"
                expected.append((f"walker.{role}", f"{method} {path}"[:64]))
    assert len(expected) >= 20
    refusals = audit_rows(session, resource_type="route")
    assert [(r.actor_name, r.resource_id) for r in refusals] == expected
    assert {(r.outcome, r.reason) for r in refusals} == {("denied", "forbidden")}
    assert all(r.actor_id is not None and r.session_id is not None for r in refusals)


def test_public_endpoints_and_unrouted_urls_leave_no_record(
    client: FlaskClient, session: Session
) -> None:
    assert client.get("/api/v1/no-such-thing").status_code == 404
    assert client.get("/api/v1/cases/not-a-uuid").status_code == 404
    assert client.get("/health").status_code == 200
    assert client.delete("/health").status_code == 405
    assert audit_rows(session) == []


def test_public_routes_answer_without_a_token(client: FlaskClient) -> None:
    for path in (
        "/health",
        "/openapi.json",
        "/openapi.yaml",
        "/docs",
        "/docs/assets/swagger-ui.css",
    ):
        with client.get(path) as response:
            assert response.status_code == 200, path


def test_a_route_without_a_declared_policy_is_refused_to_everyone(app: Flask) -> None:
    """Deny by default: forgetting @allow makes a route unusable, not open."""
    app.add_url_rule("/api/v1/forgotten", "forgotten", lambda: {"secret": True})
    client = app.test_client()
    from fieldapp.database import get_database

    with get_database(app).sessions() as session:
        create_user(app, session, username="admin.deny", role="admin")
    token = login(client, "admin.deny")["access_token"]
    response = client.get("/api/v1/forgotten", headers=bearer(token))
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)
    with get_database(app).sessions() as session:
        [refused] = audit_rows(session, resource_type="route")
    assert (refused.actor_name, refused.resource_id) == ("admin.deny", "GET /api/v1/forgotten")


@pytest.mark.parametrize(
    "path",
    [
        "/openapi.json",
        "/openapi.yaml",
        "/docs",
        "/docs/assets/swagger-ui.css",
        "/connector/apiDefinition.swagger.json",
        "/connector/apiProperties.json",
    ],
)
def test_docs_are_404_to_everyone_when_not_public(
    app: Flask, client: FlaskClient, session: Session, path: str
) -> None:
    with client.get(path) as public:
        assert public.status_code in {200, 308}
    app.config["PUBLIC_DOCS"] = False
    create_user(app, session, username="admin.docs", role="admin")
    token = login(client, "admin.docs")["access_token"]
    for headers in ({}, bearer(token)):
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/problem+json"
