"""GET /api/v1/audit: auditors and admins only, filtered, and itself audited."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.models import AuditRecord, AuditSeal
from tests.factories import bearer, create_team, create_user, login
from tests.factories.audit import seal_everything


def test_auditor_filters_the_trail_by_resource_and_the_reading_is_recorded(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    team = create_team(session)
    create_user(app, session, username="pc.acts", team=team)
    create_user(app, session, username="auditor.reads", role="auditor", team=team)
    officer = login(client, "pc.acts")["access_token"]
    case = client.post(
        "/api/v1/cases",
        json={"crime_reference": "42/0101/26", "offence": "Fraud"},
        headers=bearer(officer),
    ).get_json()
    client.get(f"/api/v1/cases/{case['id']}", headers=bearer(officer))
    auditor = login(client, "auditor.reads")["access_token"]
    response = client.get(
        f"/api/v1/audit?resource_type=case&resource_id={case['id']}", headers=bearer(auditor)
    )
    assert response.status_code == 200
    trail = response.get_json()["value"]
    assert [(r["operation"], r["actor_name"]) for r in trail] == [
        ("collection", "pc.acts"),
        ("consultation", "pc.acts"),
    ]
    assert all("mac" not in r for r in trail)  # the sealer has not run: nothing sealed yet
    recorded = session.scalars(
        select(AuditRecord).where(AuditRecord.resource_type == "audit_trail")
    ).all()
    assert [(r.actor_name, r.resource_id) for r in recorded] == [
        ("auditor.reads", f"{trail[0]['seq']}-{trail[1]['seq']}")
    ]


def test_officers_and_supervisors_cannot_read_the_trail(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    for role in ("officer", "supervisor"):
        create_user(app, session, username=f"no.audit.{role}", role=role)
        token = login(client, f"no.audit.{role}")["access_token"]
        assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 403


def test_audit_trail_pages_with_next_link(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    team = create_team(session)
    create_user(app, session, username="pc.many", team=team)
    create_user(app, session, username="admin.reads", role="admin", team=team)
    officer = login(client, "pc.many")["access_token"]
    for n in range(3):
        client.post(
            "/api/v1/cases",
            json={"crime_reference": f"42/020{n}/26", "offence": "Theft"},
            headers=bearer(officer),
        )
    admin = login(client, "admin.reads")["access_token"]
    first = client.get("/api/v1/audit?limit=2&resource_type=case", headers=bearer(admin)).json
    assert len(first["value"]) == 2
    second = client.get(first["nextLink"], headers=bearer(admin)).json
    assert [r["seq"] for r in second["value"]] > [r["seq"] for r in first["value"]]
    assert "nextLink" not in second


def test_the_trail_filters_by_actor_operation_outcome_and_resource(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    team = create_team(session)
    officer = create_user(app, session, username="pc.filtered", team=team)
    create_user(app, session, username="auditor.filters", role="auditor", team=team)
    client.post(
        "/api/v1/auth/login",
        json={"username": "pc.filtered", "password": "not it at all", "device_name": "x"},
    )
    token = login(client, "pc.filtered")["access_token"]
    assert client.get("/api/v1/users", headers=bearer(token)).status_code == 403
    auditor = login(client, "auditor.filters")["access_token"]

    def trail(query: str) -> list[tuple[str, str, str, str | None]]:
        response = client.get(f"/api/v1/audit?{query}", headers=bearer(auditor))
        assert response.status_code == 200, response.get_json()
        return [
            (r["actor_name"], r["operation"], r["outcome"], r.get("reason"))
            for r in response.get_json()["value"]
        ]

    assert trail("operation=authentication&outcome=failed") == [
        ("pc.filtered", "authentication", "failed", "bad_password")
    ]
    assert trail(f"actor_id={officer.id}") == [
        ("pc.filtered", "authentication", "allowed", "signed_in"),
        ("pc.filtered", "consultation", "denied", "forbidden"),
    ]
    assert trail("resource_type=route&resource_id=GET%20/api/v1/users") == [
        ("pc.filtered", "consultation", "denied", "forbidden")
    ]
    assert trail("outcome=denied&operation=alteration") == []
    refused = client.get("/api/v1/audit?outcome=maybe", headers=bearer(auditor))
    assert refused.status_code == 422
    assert "outcome" in refused.get_json()["errors"]


def test_sealed_records_show_their_chain_index_and_mac(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    create_user(app, session, username="auditor.seals", role="auditor")
    auditor = login(client, "auditor.seals")["access_token"]
    client.get("/api/v1/audit", headers=bearer(auditor))  # one record: this reading
    seal_everything(app)
    trail = client.get("/api/v1/audit?resource_type=audit_trail", headers=bearer(auditor)).json
    first = trail["value"][0]
    seal = session.scalars(select(AuditSeal).where(AuditSeal.record_seq == first["seq"])).one()
    assert (first["chain_index"], first["mac"]) == (seal.chain_index, seal.mac)
