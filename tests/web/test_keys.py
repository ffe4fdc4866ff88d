"""Key inventory: which routes an API key may call, by scope; every other route refuses keys."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from fieldapp.core.principal import Principal
from fieldapp.core.scopes import SCOPES
from fieldapp.models.base import utcnow
from fieldapp.services import api_keys
from fieldapp.services.audit import AuditContext
from fieldapp.web.access import PUBLIC_ENDPOINTS, AccessPolicy, allow
from tests.factories import audit_rows, create_user
from tests.web.test_access import _concrete_path

#: Every route usable with a key, and the scope it needs. Anything not listed refuses keys.
KEY_ROUTES = {
    "me.get_me": "profile:read",
    "cases.list_cases": "cases:read",
    "cases.get_case": "cases:read",
    "cases.create_case": "cases:write",
    "cases.update_case": "cases:write",
    "victims.list_victims": "victims:read",
    "victims.get_victim": "victims:read",
    "victims.create_victim": "victims:write",
    "victims.update_victim": "victims:write",
    "events.list_events": "events:read",
    "events.record_event": "events:write",
    "duties.list_duties": "duties:read",
    "duties.update_duty": "duties:write",
    "templates.list_templates": "templates:read",
    "templates.get_template": "templates:read",
    "templates.list_versions": "templates:read",
    "templates.get_version": "templates:read",
    "templates.preview_template": "templates:read",
    "templates.list_template_fields": "templates:read",
    "messages.write_message": "messages:write",
    "messages.list_messages": "messages:read",
    "messages.get_message": "messages:read",
    "messages.letter_pdf": "messages:read",
    "messages.send_message": "messages:write",
    "messages.confirm_sent": "messages:write",
    "contacts.record_contact": "contacts:write",
    "contacts.list_contacts": "contacts:read",
    "metrics.get_compliance": "metrics:read",
    "webhooks.list_webhooks": "webhooks",
    "webhooks.create_webhook": "webhooks",
    "webhooks.get_webhook": "webhooks",
    "webhooks.update_webhook": "webhooks",
    "webhooks.delete_webhook": "webhooks",
    "webhooks.list_webhook_deliveries": "webhooks",
}


def _declared_scopes(app: Flask) -> dict[str, str]:
    found = {}
    for endpoint, view in app.view_functions.items():
        policy = getattr(view, "access_policy", None)
        if isinstance(policy, AccessPolicy) and policy.scope is not None:
            found[endpoint] = policy.scope
    return found


def test_exactly_the_listed_routes_accept_keys_with_their_scopes(app: Flask) -> None:
    assert _declared_scopes(app) == KEY_ROUTES


def test_every_scope_opens_at_least_one_route() -> None:
    assert set(KEY_ROUTES.values()) == set(SCOPES)


def test_a_scope_that_does_not_exist_cannot_be_declared() -> None:
    with pytest.raises(ValueError, match="unknown scope"):
        allow(scope="everything")


def test_every_route_without_a_scope_refuses_a_key_with_every_scope(
    app: Flask, session: Session
) -> None:
    admin = create_user(app, session, username="admin.walk", role="admin")
    actor = Principal.of_user(admin, team_name=admin.team.name)
    data = {"name": "All", "user_id": admin.id, "scopes": list(SCOPES), "rate_limit": "1000/minute"}
    issued = api_keys.create_key(
        session, context=AuditContext(actor=actor, purpose="test"), data=data, now=utcnow()
    )
    session.commit()
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint in KEY_ROUTES:
            continue
        path = _concrete_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, headers={"X-API-Key": issued.key})
            if rule.endpoint.startswith("console."):  # the console takes its cookie only
                assert response.status_code in (303, 401), f"{method} {rule.rule}"
            else:
                assert response.status_code == 403, f"{method} {rule.rule} accepted a key"
                assert response.get_json()["code"] == "api_key_not_accepted"
            checked += 1
    assert checked >= 20
    refusals = audit_rows(session, resource_type="route")
    assert len(refusals) == checked
    assert {(r.actor_id, r.api_key_id, r.reason) for r in refusals} == {
        (admin.id, issued.record.id, "api_key_not_accepted"),
        (None, None, "unauthorized"),  # a console page: the key is not even looked at
    }
