"""Every header a success carries is documented for its operation and status.

The calls below go through the test client while ``request_finished`` records each answer;
each 2xx is then looked up in the committed document by its route, method and status.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, request, request_finished
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import bearer, create_team, create_user, login
from tests.factories.cases import add_victim, arrest_duty, record_arrest
from tests.web.openapi_document import document

#: Headers about the body itself, which OpenAPI describes through ``content``.
FRAMING = {"content-type", "content-length"}
Answer = tuple[str, str, int, set[str]]


@pytest.fixture
def answers(app: Flask) -> Iterator[list[Answer]]:
    """Each answer as (OpenAPI path, method, status, header names), while the test runs."""
    recorded: list[Answer] = []

    def record(_sender: Flask, response: Response, **_extra: Any) -> None:
        if request.url_rule is None:
            return
        path = re.sub(r"<(?:[^:>]+:)?([a-z_]+)>", r"{\1}", request.url_rule.rule)
        names = {name.lower() for name, _value in response.headers.items()}
        recorded.append((path, request.method.lower(), response.status_code, names))

    request_finished.connect(record, app)
    yield recorded
    request_finished.disconnect(record, app)


def _documented(path: str, method: str, status: int) -> set[str]:
    """The header names the document gives one response (with its references resolved)."""
    operation = document()["paths"][path][method]
    response = operation["responses"][str(status)]
    if "$ref" in response:
        response = document()["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return {name.lower() for name in response.get("headers", {})}


def _walk(client: FlaskClient, admin: str, officer: str, supervisor: str, user_id: str) -> None:
    """Call most operations once, and a create twice with one Idempotency-Key."""
    client.get("/health")
    client.get("/ready")
    for path in ("/api/v1/me", "/api/v1/me/sessions", "/api/v1/cases", "/api/v1/duties"):
        client.get(path, headers=bearer(officer))
    once = {**bearer(officer), "Idempotency-Key": "headers-test-case"}
    body = {"crime_reference": "42/9301/26", "offence": "Burglary of a home"}
    case = client.post("/api/v1/cases", json=body, headers=once).get_json()
    assert client.post("/api/v1/cases", json=body, headers=once).headers["Idempotent-Replayed"]
    url = f"/api/v1/cases/{case['id']}"
    etag = client.get(url, headers=bearer(officer)).headers["ETag"]
    client.patch(url, json={"offence": "Burglary"}, headers={**bearer(officer), "If-Match": etag})
    victim = add_victim(client, officer, case["id"])
    etag = client.get(f"/api/v1/victims/{victim}", headers=bearer(officer)).headers["ETag"]
    client.patch(
        f"/api/v1/victims/{victim}",
        json={"first_name": "Priyanka"},
        headers={**bearer(officer), "If-Match": etag},
    )
    record_arrest(client, officer, case["id"])
    for part in ("victims", "events", "messages", "contacts"):
        client.get(f"{url}/{part}", headers=bearer(officer))
    duty = arrest_duty(client, officer, case["id"])
    client.patch(
        f"/api/v1/duties/{duty['id']}",
        json={"status": "not_required", "reason": "The victim asked for no updates."},
        headers={**bearer(supervisor), "If-Match": str(duty["version"])},
    )
    for path in ("/api/v1/templates", "/api/v1/template-fields"):
        client.get(path, headers=bearer(officer))
    for path in ("/api/v1/users", f"/api/v1/users/{user_id}", "/api/v1/teams", "/api/v1/audit"):
        client.get(path, headers=bearer(admin))
    client.get("/api/v1/metrics/compliance", headers=bearer(supervisor))
    key = {"name": "Duty app", "user_id": user_id, "scopes": ["cases:read"]}
    created = client.post("/api/v1/api-keys", json=key, headers=bearer(admin)).get_json()
    client.get("/api/v1/api-keys", headers=bearer(admin))
    client.delete(f"/api/v1/api-keys/{created['id']}", headers=bearer(admin))
    client.post("/api/v1/auth/logout", headers=bearer(officer))


def test_every_header_a_success_carries_is_documented(
    app: Flask, client: FlaskClient, session: Session, answers: list[Answer]
) -> None:
    team = create_team(session, name="Westfield Response")
    create_user(app, session, username="admin.headers", role="admin", team=team)
    create_user(app, session, username="sgt.headers", role="supervisor", team=team)
    officer = create_user(app, session, username="pc.headers", team=team)
    tokens = [
        str(login(client, name)["access_token"])
        for name in ("admin.headers", "pc.headers", "sgt.headers")
    ]
    _walk(client, *tokens, str(officer.id))

    successes = [answer for answer in answers if 200 <= answer[2] < 300]
    assert len({(path, method) for path, method, _, _ in successes}) >= 30, successes
    undocumented = {
        (method.upper(), path, status, name)
        for path, method, status, names in successes
        for name in names - FRAMING - _documented(path, method, status)
    }
    assert not undocumented, sorted(undocumented)
