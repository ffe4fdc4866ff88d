"""Webhook subscriptions over HTTP: who may manage them, create once, change with If-Match."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.database import get_database
from fieldapp.models import Team, User, WebhookSubscription
from fieldapp.models.base import utcnow
from fieldapp.services.webhooks.events import record_event
from fieldapp.services.webhooks.settings import settings_from_config
from fieldapp.services.webhooks.worker import Worker, run_worker
from tests.factories import audit_rows, bearer, create_team, create_user, login
from tests.factories.messages import issue_key
from tests.factories.webhooks import running_receiver, stand_in_dns, subscribe

HOOK = "https://hooks.example.org/fieldapp"


@pytest.fixture
def team(session: Session) -> Team:
    """The team everyone here belongs to."""
    return create_team(session, name="Northtown")


@pytest.fixture
def admin(app: Flask, client: FlaskClient, session: Session, team: Team) -> dict[str, str]:
    """An admin's bearer header."""
    create_user(app, session, username="admin.hooks", role="admin", team=team)
    stand_in_dns(app, {"hooks.example.org": "93.184.216.34", "inside.example.org": "10.1.2.3"})
    return bearer(login(client, "admin.hooks")["access_token"])


@pytest.fixture
def integration(app: Flask, session: Session, team: Team) -> User:
    """The officer an integration's key acts for."""
    return create_user(app, session, username="flow.northtown", team=team)


def test_admin_creates_a_webhook_shown_with_its_secret_once_and_audited(
    client: FlaskClient, session: Session, admin: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/webhooks",
        json={"url": HOOK, "events": ["duty.overdue", "duty.due_soon"], "description": "Flow"},
        headers=admin,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/webhooks/{body['id']}")
    assert response.headers["ETag"] == '"1"'
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert (body["status"], body["events"], body["consecutive_failures"]) == (
        "active",
        ["duty.due_soon", "duty.overdue"],
        0,
    )
    stored = session.scalars(select(WebhookSubscription)).one()
    assert body["secret"] not in stored.secret_encrypted
    again = client.get(f"/api/v1/webhooks/{body['id']}", headers=admin).get_json()
    assert "secret" not in again and again["url"] == HOOK
    assert [(r.operation, r.reason) for r in audit_rows(session, resource_type="webhook")] == [
        ("administration", "created")
    ]


def test_an_officer_may_not_manage_webhooks_and_the_refusal_is_recorded(
    app: Flask, client: FlaskClient, session: Session, team: Team
) -> None:
    create_user(app, session, username="pc.hooks", team=team)
    officer = bearer(login(client, "pc.hooks")["access_token"])
    response = client.post(
        "/api/v1/webhooks", json={"url": HOOK, "events": ["duty.overdue"]}, headers=officer
    )
    assert response.status_code == 403
    assert client.get("/api/v1/webhooks", headers=officer).status_code == 403
    assert [r.outcome for r in audit_rows(session, resource_type="route")] == ["denied", "denied"]


def test_a_key_needs_the_webhooks_scope(
    app: Flask, client: FlaskClient, session: Session, integration: User
) -> None:
    stand_in_dns(app, {"hooks.example.org": "93.184.216.34"})
    without = {"X-API-Key": issue_key(session, integration, ["duties:read"])}
    body = {"url": HOOK, "events": ["duty.overdue"]}
    assert client.post("/api/v1/webhooks", json=body, headers=without).status_code == 403
    with_scope = {"X-API-Key": issue_key(session, integration, ["webhooks"])}
    created = subscribe(client, with_scope, HOOK, ["duty.overdue"])
    assert created["created_by_id"] == str(integration.id)
    listed = client.get("/api/v1/webhooks", headers=with_scope).get_json()
    assert [w["id"] for w in listed["value"]] == [created["id"]]


def test_a_key_sees_only_its_own_users_webhooks_and_admins_see_all(
    app: Flask, client: FlaskClient, session: Session, admin: dict[str, str], integration: User
) -> None:
    mine = subscribe(client, admin, HOOK, ["template.submitted"])
    key = {"X-API-Key": issue_key(session, integration, ["webhooks"])}
    theirs = subscribe(client, key, HOOK, ["duty.overdue"])
    assert client.get(f"/api/v1/webhooks/{mine['id']}", headers=key).status_code == 404
    assert client.delete(f"/api/v1/webhooks/{mine['id']}", headers=key).status_code == 404
    listed = client.get("/api/v1/webhooks", headers=admin).get_json()["value"]
    assert {w["id"] for w in listed} == {mine["id"], theirs["id"]}


def test_create_with_an_idempotency_key_makes_one_webhook_and_never_shows_the_secret_twice(
    client: FlaskClient, session: Session, admin: dict[str, str]
) -> None:
    headers = {**admin, "Idempotency-Key": "hook-1"}
    body = {"url": HOOK, "events": ["duty.overdue"]}
    first = client.post("/api/v1/webhooks", json=body, headers=headers)
    again = client.post("/api/v1/webhooks", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert "secret" not in again.get_json()
    changed = client.post(
        "/api/v1/webhooks", json={**body, "events": ["duty.due_soon"]}, headers=headers
    )
    assert changed.status_code == 422
    assert len(session.scalars(select(WebhookSubscription)).all()) == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/x", "https"),
        ("https://10.0.0.8/x", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://inside.example.org/x", "private"),
        ("https://nowhere.example.org/x", "does not resolve"),
        ("https://user:pw@hooks.example.org/x", "password"),
    ],
)
def test_urls_that_could_reach_inside_the_network_are_refused_and_audited(
    client: FlaskClient, session: Session, admin: dict[str, str], url: str, message: str
) -> None:
    response = client.post(
        "/api/v1/webhooks", json={"url": url, "events": ["duty.overdue"]}, headers=admin
    )
    assert response.status_code == 422
    assert message in response.get_json()["errors"]["url"][0]
    refused = audit_rows(session, resource_type="webhook")
    assert [(r.outcome, r.resource_id) for r in refused] == [("denied", "new")]
    assert session.scalars(select(WebhookSubscription)).all() == []


def test_loopback_is_refused_unless_the_configuration_allows_it(
    app: Flask, client: FlaskClient, admin: dict[str, str]
) -> None:
    body = {"url": "http://127.0.0.1:9/hooks", "events": ["duty.overdue"]}
    assert client.post("/api/v1/webhooks", json=body, headers=admin).status_code == 201
    app.config["WEBHOOK_ALLOW_HTTP_LOOPBACK"] = False
    refused = client.post("/api/v1/webhooks", json=body, headers=admin)
    assert refused.status_code == 422
    https = {**body, "url": "https://localhost/hooks"}
    assert client.post("/api/v1/webhooks", json=https, headers=admin).status_code == 422


def test_patch_needs_if_match_and_can_disable_re_enable_and_rotate_the_secret(
    client: FlaskClient, session: Session, admin: dict[str, str]
) -> None:
    created = subscribe(client, admin, HOOK, ["duty.overdue"])
    path = f"/api/v1/webhooks/{created['id']}"
    assert client.patch(path, json={"status": "disabled"}, headers=admin).status_code == 428
    stale = {**admin, "If-Match": '"7"'}
    assert client.patch(path, json={"status": "disabled"}, headers=stale).status_code == 412
    disabled = client.patch(path, json={"status": "disabled"}, headers={**admin, "If-Match": '"1"'})
    assert disabled.status_code == 200
    assert (disabled.get_json()["status"], disabled.headers["ETag"]) == ("disabled", '"2"')
    assert disabled.get_json()["disabled_reason"] == "Disabled by admin.hooks"
    enabled = client.patch(
        path, json={"status": "active", "rotate_secret": True}, headers={**admin, "If-Match": '"2"'}
    ).get_json()
    assert enabled["status"] == "active" and "disabled_reason" not in enabled
    assert enabled["secret"] != created["secret"]
    assert "secret" not in client.get(path, headers=admin).get_json()
    reasons = [r.reason for r in audit_rows(session, resource_type="webhook")]
    assert reasons == ["created", "changed", "secret rotated"]


def test_patch_refuses_a_url_inside_the_network(client: FlaskClient, admin: dict[str, str]) -> None:
    created = subscribe(client, admin, HOOK, ["duty.overdue"])
    response = client.patch(
        f"/api/v1/webhooks/{created['id']}",
        json={"url": "https://inside.example.org/x"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert client.get(f"/api/v1/webhooks/{created['id']}", headers=admin).get_json()["url"] == HOOK


def test_delete_removes_the_webhook_and_is_audited(
    client: FlaskClient, session: Session, admin: dict[str, str]
) -> None:
    created = subscribe(client, admin, HOOK, ["duty.overdue"])
    path = f"/api/v1/webhooks/{created['id']}"
    assert client.delete(path, headers=admin).status_code == 204
    assert client.get(path, headers=admin).status_code == 404
    assert [r.reason for r in audit_rows(session, resource_type="webhook")][:2] == [
        "created",
        "deleted",
    ]


def test_unknown_event_types_and_fields_are_refused(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    bad = client.post(
        "/api/v1/webhooks", json={"url": HOOK, "events": ["case.opened"]}, headers=admin
    )
    assert bad.status_code == 422 and "events.0" in bad.get_json()["errors"]
    extra = {"url": HOOK, "events": ["duty.overdue"], "status": "disabled"}
    assert client.post("/api/v1/webhooks", json=extra, headers=admin).status_code == 422


def test_webhooks_list_pages_with_next_link(client: FlaskClient, admin: dict[str, str]) -> None:
    first = subscribe(client, admin, HOOK, ["duty.overdue"])
    second = subscribe(client, admin, HOOK, ["duty.due_soon"])
    page = client.get("/api/v1/webhooks?limit=1", headers=admin).get_json()
    assert [w["id"] for w in page["value"]] == [first["id"]]
    following = client.get(page["nextLink"], headers=admin).get_json()
    assert [w["id"] for w in following["value"]] == [second["id"]]
    assert "nextLink" not in following


def test_deliveries_are_listed_newest_first_with_their_last_attempt(
    app: Flask, client: FlaskClient, session: Session, admin: dict[str, str], team: Team
) -> None:
    with running_receiver() as receiver:
        created = subscribe(client, admin, receiver.url, ["duty.overdue"])
        first = record_event(session, "duty.overdue", data={"duty_id": "d1"}, team_id=team.id)
        second = record_event(session, "duty.overdue", data={"duty_id": "d2"}, team_id=team.id)
        session.commit()
        receiver.status = 500
        worker = Worker("w", settings_from_config(app.config), random=lambda: 1.0)
        later = utcnow() + timedelta(seconds=1)
        run_worker(get_database(app).sessions, worker, once=True, clock=lambda: later)
    path = f"/api/v1/webhooks/{created['id']}/deliveries"
    page = client.get(f"{path}?limit=1", headers=admin).get_json()
    [newest] = page["value"]
    assert newest["event_type"] == "duty.overdue" and newest["event_id"] in {
        str(first),
        str(second),
    }
    assert (newest["status"], newest["attempts"], newest["last_status_code"]) == ("pending", 1, 500)
    assert newest["last_error"] == "HTTP 500" and newest["next_attempt_at"].endswith("Z")
    rest = client.get(page["nextLink"], headers=admin).get_json()
    assert len(rest["value"]) == 1 and "nextLink" not in rest
    assert {newest["event_id"], rest["value"][0]["event_id"]} == {str(first), str(second)}


def test_re_enabling_a_webhook_disabled_by_failures_resets_its_count(
    client: FlaskClient, session: Session, admin: dict[str, str]
) -> None:
    created = subscribe(client, admin, HOOK, ["duty.overdue"])
    record = session.get(WebhookSubscription, uuid.UUID(created["id"]))
    assert record is not None
    record.status, record.consecutive_failures = "disabled", 15
    record.disabled_reason = "Disabled after 15 consecutive failed attempts; re-enable when fixed."
    session.commit()
    path = f"/api/v1/webhooks/{created['id']}"
    etag = client.get(path, headers=admin).headers["ETag"]
    body = client.patch(path, json={"status": "active"}, headers={**admin, "If-Match": etag})
    assert body.status_code == 200
    assert (body.get_json()["status"], body.get_json()["consecutive_failures"]) == ("active", 0)


def test_a_key_whose_user_never_receives_an_event_type_cannot_subscribe_to_it(
    app: Flask, client: FlaskClient, session: Session, integration: User
) -> None:
    stand_in_dns(app, {"hooks.example.org": "93.184.216.34"})
    key = {"X-API-Key": issue_key(session, integration, ["webhooks"])}
    body = {"url": HOOK, "events": ["duty.overdue", "template.submitted"]}
    response = client.post("/api/v1/webhooks", json=body, headers=key)
    assert response.status_code == 422
    assert "template.submitted" in response.get_json()["errors"]["events"][0]
