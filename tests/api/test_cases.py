"""Cases: scope, paging and sync, ETags, idempotent creates, and the audit records they leave."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.models import AuditRecord, Case, Team
from tests.factories import bearer, create_team, create_user, login, sign_in
from tests.factories.cases import open_case_body


@pytest.fixture
def teams(session: Session) -> tuple[Team, Team]:
    """Two teams."""
    return create_team(session, name="Northtown"), create_team(session, name="Southtown")


def _audit(session: Session, **where: Any) -> list[AuditRecord]:
    query = select(AuditRecord).order_by(AuditRecord.seq)
    for name, value in where.items():
        query = query.where(getattr(AuditRecord, name) == value)
    return list(session.scalars(query))


def test_officer_opens_a_case_in_their_team_and_it_is_audited(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team]
) -> None:
    token = sign_in(app, client, session, "pc.open", team=teams[0], display_name="PC Open")
    response = client.post(
        "/api/v1/cases",
        json={"crime_reference": "42/1001/26", "offence": "Theft of a bicycle"},
        headers={**bearer(token), "X-Purpose": "new report"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["team"] == "Northtown"
    assert body["officer_in_charge"] == "PC Open"
    assert body["status"] == "open"
    assert body["version"] == 1
    assert response.headers["ETag"] == '"1"'
    [entry] = _audit(session, resource_id=body["id"])
    assert (entry.operation, entry.outcome, entry.purpose) == (
        "collection",
        "allowed",
        "new report",
    )
    assert entry.actor_name == "pc.open"


def test_duplicate_crime_reference_is_409(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team]
) -> None:
    token = sign_in(app, client, session, "pc.dup", team=teams[0])
    open_case_body(client, token, "42/1002/26")
    again = client.post(
        "/api/v1/cases",
        json={"crime_reference": "42/1002/26", "offence": "Other"},
        headers=bearer(token),
    )
    assert again.status_code == 409
    assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_officer_cannot_reach_another_teams_case_by_any_route(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team]
) -> None:
    north = sign_in(app, client, session, "pc.north", team=teams[0])
    south = sign_in(app, client, session, "pc.south", team=teams[1])
    case = open_case_body(client, north, "42/1003/26")
    url = f"/api/v1/cases/{case['id']}"
    read = client.get(url, headers=bearer(south))
    change = client.patch(
        url, json={"status": "closed"}, headers={**bearer(south), "If-Match": '"1"'}
    )
    listed = client.get("/api/v1/cases", headers=bearer(south)).get_json()["value"]
    for response in (read, change):
        assert response.status_code == 404
        assert response.get_json()["code"] == "not_found"
    assert listed == []
    stored = session.get(Case, uuid.UUID(case["id"]))
    assert stored is not None and stored.status == "open"
    denied = _audit(session, resource_id=case["id"], outcome="denied")
    assert [(entry.actor_name, entry.operation) for entry in denied] == [
        ("pc.south", "consultation"),
        ("pc.south", "alteration"),
    ]


def test_officer_cannot_put_another_teams_officer_in_charge(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team]
) -> None:
    north = sign_in(app, client, session, "pc.alloc", team=teams[0])
    other = create_user(app, session, username="pc.elsewhere", team=teams[1])
    response = client.post(
        "/api/v1/cases",
        json={"crime_reference": "42/1004/26", "offence": "Criminal damage",
              "officer_in_charge_id": str(other.id)},
        headers=bearer(north),
    )  # fmt: skip
    assert response.status_code == 422
    assert "officer_in_charge_id" in response.get_json()["errors"]


def test_admin_sees_every_team_and_auditor_sees_no_cases(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team]
) -> None:
    north = sign_in(app, client, session, "pc.n2", team=teams[0])
    south = sign_in(app, client, session, "pc.s2", team=teams[1])
    open_case_body(client, north, "42/2001/26")
    open_case_body(client, south, "42/2002/26")
    admin = sign_in(app, client, session, "admin.cases", role="admin", team=teams[0])
    auditor = sign_in(app, client, session, "auditor.cases", role="auditor", team=teams[0])
    refs = {
        c["crime_reference"]
        for c in client.get("/api/v1/cases", headers=bearer(admin)).json["value"]
    }
    assert refs == {"42/2001/26", "42/2002/26"}
    assert client.get("/api/v1/cases", headers=bearer(auditor)).status_code == 403


def test_list_pages_by_next_link_and_audits_each_case_returned(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team]
) -> None:
    token = sign_in(app, client, session, "pc.pager", team=teams[0])
    for n in range(5):
        open_case_body(client, token, f"42/300{n}/26")
    before = len(_audit(session, operation="consultation"))
    seen: list[str] = []
    url: str | None = "/api/v1/cases?limit=2"
    while url:
        body = client.get(url, headers=bearer(token)).get_json()
        seen += [c["crime_reference"] for c in body["value"]]
        url = body.get("nextLink")
    assert sorted(seen) == [f"42/300{n}/26" for n in range(5)]
    assert len(seen) == len(set(seen))
    assert len(_audit(session, operation="consultation")) - before == 5


def test_updated_since_returns_only_changes(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team]
) -> None:
    token = sign_in(app, client, session, "pc.sync", team=teams[0])
    first = open_case_body(client, token, "42/4001/26")
    second = open_case_body(client, token, "42/4002/26")
    since = second["updated_at"]
    client.patch(
        f"/api/v1/cases/{first['id']}",
        json={"status": "closed"},
        headers={**bearer(token), "If-Match": '"1"'},
    )
    changed = client.get(f"/api/v1/cases?updated_since={since}", headers=bearer(token)).json
    refs = [c["crime_reference"] for c in changed["value"]]
    assert refs[-1] == "42/4001/26"
    assert "42/4001/26" in refs


def test_patch_needs_the_current_etag(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team]
) -> None:
    token = sign_in(app, client, session, "pc.etag", team=teams[0])
    case = open_case_body(client, token, "42/5001/26")
    url = f"/api/v1/cases/{case['id']}"
    assert client.patch(url, json={"status": "closed"}, headers=bearer(token)).status_code == 428
    stale = client.patch(
        url, json={"status": "closed"}, headers={**bearer(token), "If-Match": '"9"'}
    )
    assert stale.status_code == 412
    assert stale.get_json()["current_version"] == 1
    etag = client.get(url, headers=bearer(token)).headers["ETag"]
    ok = client.patch(
        url, json={"offence": "Aggravated burglary"}, headers={**bearer(token), "If-Match": etag}
    )
    assert ok.status_code == 200
    assert ok.headers["ETag"] == '"2"'
    [change] = _audit(session, resource_id=case["id"], operation="alteration")
    assert change.field_groups == "offence"
    assert "Aggravated" not in (change.field_groups or "")


def test_same_idempotency_key_and_body_returns_the_first_response(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team]
) -> None:
    token = sign_in(app, client, session, "pc.retry", team=teams[0])
    headers = {**bearer(token), "Idempotency-Key": "3f7c2d9e-retry-1"}
    body = {"crime_reference": "42/6001/26", "offence": "Assault"}
    first = client.post("/api/v1/cases", json=body, headers=headers)
    second = client.post("/api/v1/cases", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.headers["ETag"] == first.headers["ETag"]
    assert session.scalar(select(func.count()).select_from(Case)) == 1
    different = client.post("/api/v1/cases", json={**body, "offence": "Robbery"}, headers=headers)
    assert different.status_code == 422
    assert "Idempotency-Key" in different.get_json()["errors"]


def test_idempotency_keys_are_per_user(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team]
) -> None:
    one = sign_in(app, client, session, "pc.key1", team=teams[0])
    two = sign_in(app, client, session, "pc.key2", team=teams[0])
    key = {"Idempotency-Key": "shared-key"}
    a = client.post("/api/v1/cases", json={"crime_reference": "42/7001/26", "offence": "Theft"},
                    headers={**bearer(one), **key})  # fmt: skip
    b = client.post("/api/v1/cases", json={"crime_reference": "42/7002/26", "offence": "Theft"},
                    headers={**bearer(two), **key})  # fmt: skip
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.get_json()["id"] != b.get_json()["id"]


def test_a_failed_create_frees_its_key_for_a_retry(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team]
) -> None:
    token = sign_in(app, client, session, "pc.fail", team=teams[0])
    open_case_body(client, token, "42/8001/26")
    headers = {**bearer(token), "Idempotency-Key": "after-409"}
    clash = client.post(
        "/api/v1/cases", json={"crime_reference": "42/8001/26", "offence": "X y z"}, headers=headers
    )
    assert clash.status_code == 409
    fixed = client.post(
        "/api/v1/cases", json={"crime_reference": "42/8001/26", "offence": "X y z"}, headers=headers
    )
    assert fixed.status_code == 409  # same body, same (failed) outcome, not a stored replay
    assert "Idempotent-Replayed" not in fixed.headers


def test_concurrent_retries_of_one_create_make_one_case(
    app: Flask, session: Session, teams: tuple[Team, Team]
) -> None:
    create_user(app, session, username="pc.double", team=teams[0])
    token = login(app.test_client(), "pc.double")["access_token"]
    barrier = threading.Barrier(4)
    statuses: list[int] = []
    lock = threading.Lock()

    def tap() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/cases",
            json={"crime_reference": "42/9001/26", "offence": "Double tap"},
            headers={**bearer(token), "Idempotency-Key": "double-tap"},
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 4
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_paging_is_exact_when_many_cases_share_one_update_time(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team]
) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import update

    token = sign_in(app, client, session, "pc.ties", team=teams[0])
    made = {open_case_body(client, token, f"42/61{n:02d}/26")["id"] for n in range(7)}
    same = datetime(2026, 11, 2, 9, 0, 0, 123456, tzinfo=UTC)
    session.execute(update(Case).values(updated_at=same))
    session.commit()
    seen: list[str] = []
    url: str | None = "/api/v1/cases?limit=3"
    while url:
        body = client.get(url, headers=bearer(token)).get_json()
        seen += [c["id"] for c in body["value"]]
        url = body.get("nextLink")
    assert sorted(seen) == sorted(made)


@pytest.mark.parametrize("offence", ["   ", " a\u001c ", "\u001c\u001d\u001e"])
def test_an_offence_that_is_mostly_spaces_is_a_422_and_no_case_is_stored(
    app: Flask, client: FlaskClient, session: Session, teams: tuple[Team, Team], offence: str
) -> None:
    token = sign_in(app, client, session, "pc.blank", team=teams[0], display_name="PC Blank")
    response = client.post(
        "/api/v1/cases",
        json={"crime_reference": "42/1009/26", "offence": offence},
        headers=bearer(token),
    )
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["offence"]
    assert session.scalar(select(func.count()).select_from(Case)) == 0
