"""Routing by endpoint: the declared reports read the replica; officers and writes, the primary.

The replica here is a second database with the same schema and other contents, so what an
answer shows says which database it was read from.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.core.roles import OFFICER
from fieldapp.models import Case
from fieldapp.web.access import policy_for
from fieldapp.web.data_sources import DATA_SOURCE_HEADER, declares_replica_reads
from tests.console.conftest import console_login
from tests.console.test_compliance import table
from tests.factories import audit_rows, bearer, login

#: The only endpoints that may read the replica: reports that can be a few seconds behind.
REPORTS = {
    "metrics.get_compliance",
    "audit.list_audit",
    "console.compliance",
    "console.compliance_csv",
}
COMPLIANCE = "/api/v1/metrics/compliance"


def test_exactly_the_declared_reports_may_read_the_replica(app: Flask) -> None:
    declared = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if declares_replica_reads(app.view_functions[rule.endpoint])
    }
    assert declared == REPORTS


def test_no_endpoint_an_officer_may_call_reads_the_replica(app: Flask) -> None:
    with app.test_request_context():
        for endpoint in REPORTS:
            policy = policy_for(endpoint)
            assert policy is not None and OFFICER not in policy.roles, endpoint


def _get(client: FlaskClient, username: str, url: str) -> Any:
    """GET ``url`` as ``username``, signed in through the API."""
    return client.get(url, headers=bearer(login(client, username)["access_token"]))


def test_compliance_figures_are_read_on_the_replica_and_audited_on_the_primary(
    replica_app: Flask, session: Session, standby: Session, two_databases: dict[str, Any]
) -> None:
    response = _get(replica_app.test_client(), "admin", COMPLIANCE)
    assert response.status_code == 200
    assert response.headers[DATA_SOURCE_HEADER] == "replica"
    body = response.get_json()
    assert [(row["label"], row["due"], row["met_on_time"]) for row in body["value"]] == [
        ("Standby Team", 2, 1)
    ]
    [consulted] = audit_rows(session, resource_type="compliance_report")
    assert (consulted.actor_name, consulted.resource_id) == ("admin", "all")
    assert audit_rows(standby, resource_type="compliance_report") == []


def test_a_refused_report_is_recorded_on_the_primary(
    replica_app: Flask, session: Session, standby: Session, two_databases: dict[str, Any]
) -> None:
    missing = uuid.uuid4()
    response = _get(replica_app.test_client(), "admin", f"{COMPLIANCE}?team_id={missing}")
    assert response.status_code == 404
    [denied] = audit_rows(session, resource_type="compliance_report")
    assert (denied.resource_id, denied.outcome) == (str(missing), "denied")
    assert audit_rows(standby, resource_type="compliance_report") == []


def test_the_audit_listing_is_read_on_the_replica_and_its_reading_recorded_on_the_primary(
    replica_app: Flask, session: Session, standby: Session, two_databases: dict[str, Any]
) -> None:
    response = _get(replica_app.test_client(), "auditor", "/api/v1/audit?resource_type=case")
    assert response.status_code == 200
    assert response.headers[DATA_SOURCE_HEADER] == "replica"
    shown = [record["resource_id"] for record in response.get_json()["value"]]
    assert shown == ["replica-record-1", "replica-record-2"]
    [reading] = audit_rows(session, resource_type="audit_trail")
    assert (reading.actor_name, reading.operation) == ("auditor", "consultation")
    assert audit_rows(standby, resource_type="audit_trail") == []


def test_the_console_figures_and_csv_are_read_on_the_replica(
    replica_app: Flask, session: Session, two_databases: dict[str, Any]
) -> None:
    browser = replica_app.test_client()
    console_login(browser, "admin")
    page = browser.get("/console/compliance")
    assert page.status_code == 200
    assert page.headers[DATA_SOURCE_HEADER] == "replica"
    assert [row[0] for row in table(page.text, "by-team")[1:]] == ["Standby Team", "Total"]
    assert [row[0] for row in table(page.text, "by-officer")[1:-1]] == ["PC Bea"]
    [overdue] = table(page.text, "overdue")[1:]
    assert overdue[0].startswith(two_databases["standby_case"].crime_reference)
    assert '<option value="' in page.text and ">North</option>" not in page.text
    download = browser.get("/console/compliance.csv")
    assert download.headers[DATA_SOURCE_HEADER] == "replica"
    assert "Standby Team" in download.text and "North" not in download.text
    consulted = audit_rows(session, resource_type="compliance_report")
    assert [record.actor_name for record in consulted] == ["admin", "admin"]


def test_what_officers_see_and_every_write_stay_on_the_primary(
    replica_app: Flask, session: Session, standby: Session, two_databases: dict[str, Any]
) -> None:
    client = replica_app.test_client()
    arranged = len(audit_rows(standby))
    token = login(client, "pc.north")["access_token"]
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200 and me.get_json()["username"] == "pc.north"
    assert DATA_SOURCE_HEADER not in me.headers
    cases = client.get("/api/v1/cases", headers=bearer(token)).get_json()["value"]
    assert [case["crime_reference"] for case in cases] == [
        two_databases["north_case"].crime_reference
    ]
    created = client.post(
        "/api/v1/cases",
        json={"crime_reference": "42/9999/26", "offence": "Theft of a bicycle"},
        headers=bearer(token),
    )
    assert created.status_code == 201, created.get_json()
    assert DATA_SOURCE_HEADER not in created.headers
    read_back = client.get(f"/api/v1/cases/{created.get_json()['id']}", headers=bearer(token))
    assert read_back.status_code == 200
    assert session.scalar(select(func.count()).where(Case.crime_reference == "42/9999/26")) == 1
    assert standby.scalar(select(func.count()).select_from(Case)) == 1  # only its own
    assert len(audit_rows(standby)) == arranged  # sign-in, reads and the write: all on the primary


def test_without_a_replica_the_reports_read_the_primary_and_say_so(
    client: FlaskClient, two_databases: dict[str, Any]
) -> None:
    response = _get(client, "admin", COMPLIANCE)
    assert response.headers[DATA_SOURCE_HEADER] == "primary"
    assert [row["label"] for row in response.get_json()["value"]] == ["North"]
