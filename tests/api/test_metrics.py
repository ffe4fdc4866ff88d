"""GET /api/v1/metrics/compliance: the flat report, who may read it, and refused ranges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.victims_code import LONDON
from fieldapp.core.victims_code.working_days import end_of_local_day
from fieldapp.models import AuditRecord
from tests.factories import bearer, create_team, create_user, login
from tests.services.test_compliance import create_case, create_duty

URL = "/api/v1/metrics/compliance"


@pytest.fixture
def teams(app: Flask, session: Session) -> dict[str, Any]:
    """Two teams with duties due in the last few days (so in the default range)."""
    north, south = create_team(session, name="North"), create_team(session, name="South")
    ann = create_user(app, session, team=north, display_name="PC Ann")
    cat = create_user(app, session, team=south, display_name="PC Cat")
    today = datetime.now(UTC).astimezone(LONDON).date()
    deadline = end_of_local_day(today - timedelta(days=3))
    north_case, south_case = create_case(session, ann), create_case(session, cat)
    on_time = deadline - timedelta(days=1)
    create_duty(session, north_case, due_at=deadline, status="met", closed_at=on_time)
    create_duty(session, north_case, due_at=deadline, status="met",
                closed_at=deadline + timedelta(hours=2))  # fmt: skip
    create_duty(session, north_case, due_at=deadline, status="missed", event_type="charged")
    create_duty(session, north_case, due_at=deadline)  # open, past its deadline: overdue
    create_duty(session, north_case, due_at=end_of_local_day(today), event_type=None)
    create_duty(session, north_case, due_at=deadline, status="not_required", closed_at=on_time)
    create_duty(session, south_case, due_at=deadline, status="met", closed_at=on_time)
    for username, role, team in (
        ("sgt.north", "supervisor", north),
        ("admin", "admin", north),
        ("pc.north", "officer", north),
        ("auditor", "auditor", north),
    ):
        create_user(app, session, username=username, role=role, team=team)  # fmt: skip
    return {"north": north, "south": south, "ann": ann, "today": today}


def _get(client: FlaskClient, username: str, query: str = "") -> Any:
    token = login(client, username)["access_token"]
    return client.get(f"{URL}{query}", headers=bearer(token))


def test_supervisor_gets_own_team_figures_for_the_last_28_days(
    client: FlaskClient, session: Session, teams: dict[str, Any]
) -> None:
    response = _get(client, "sgt.north")
    assert response.status_code == 200
    body = response.get_json()
    today = teams["today"]
    assert body["from"] == (today - timedelta(days=27)).isoformat()
    assert body["to"] == today.isoformat()
    assert body["group_by"] == "team" and body["team_id"] == str(teams["north"].id)
    assert body["generated_at"].endswith("Z")
    assert body["ruleset_versions"] == ["2020-code.1"]
    expected = {"due": 5, "met_on_time": 1, "met_late": 1, "missed": 1, "open": 1,
                "overdue": 1, "not_required": 1, "on_time_percent": 25.0,
                    "met_on_time_by_claim": 0}  # fmt: skip
    assert body["total"] == expected
    assert body["value"] == [{"key": str(teams["north"].id), "label": "North", **expected}]
    audit = _report_records(session)
    assert [(r.resource_type, r.resource_id, r.outcome) for r in audit] == [
        ("compliance_report", str(teams["north"].id), "allowed")
    ]


def test_admin_sees_every_team_or_filters_to_one(
    client: FlaskClient, teams: dict[str, Any]
) -> None:
    everyone = _get(client, "admin").get_json()
    assert [row["label"] for row in everyone["value"]] == ["North", "South"]
    assert everyone["total"]["due"] == 6 and everyone["total"]["on_time_percent"] == 40.0
    assert "team_id" not in everyone
    south = _get(client, "admin", f"?team_id={teams['south'].id}").get_json()
    assert [row["label"] for row in south["value"]] == ["South"]
    assert south["total"]["on_time_percent"] == 100.0


def test_figures_by_officer_and_by_event_type(client: FlaskClient, teams: dict[str, Any]) -> None:
    officers = _get(client, "sgt.north", "?group_by=officer").get_json()
    assert [(r["key"], r["label"], r["due"]) for r in officers["value"]] == [
        (str(teams["ann"].id), "PC Ann", 5)
    ]
    events = _get(client, "sgt.north", "?group_by=event_type").get_json()
    by_type = {r["key"]: (r["due"], r.get("on_time_percent")) for r in events["value"]}
    assert by_type == {"arrested": (3, 33.3), "charged": (1, 0.0), "periodic_update": (1, None)}


def test_supervisor_asking_for_another_team_gets_404(
    client: FlaskClient, session: Session, teams: dict[str, Any]
) -> None:
    response = _get(client, "sgt.north", f"?team_id={teams['south'].id}")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"
    denied = _report_records(session)[0]
    assert len(_report_records(session)) == 1
    assert (denied.resource_id, denied.outcome) == (str(teams["south"].id), "denied")


def _report_records(session: Session) -> list[AuditRecord]:
    """The records about figures (sign-ins and account set-up left out)."""
    query = select(AuditRecord).where(AuditRecord.resource_type == "compliance_report")
    return list(session.scalars(query.order_by(AuditRecord.seq)))


@pytest.mark.parametrize("username", ["pc.north", "auditor"])
def test_officers_and_auditors_may_not_read_the_figures(
    client: FlaskClient, session: Session, teams: dict[str, Any], username: str
) -> None:
    response = _get(client, username)
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"
    assert _report_records(session) == []
    refused = session.scalars(select(AuditRecord).where(AuditRecord.resource_type == "route")).one()
    assert (refused.actor_name, refused.outcome, refused.reason) == (
        username,
        "denied",
        "forbidden",
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [("?from=2026-03-02&to=2026-03-01", "to"), ("?from=2025-01-01&to=2026-01-02", "to"),
     ("?from=2026-02-30", "from"), ("?to=01/03/2026", "to"), ("?group_by=station", "group_by"),
     ("?team_id=north", "team_id")],
)  # fmt: skip
def test_bad_ranges_and_parameters_are_422(
    client: FlaskClient, session: Session, teams: dict[str, Any], query: str, field: str
) -> None:
    response = _get(client, "admin", query)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert _report_records(session) == []


def test_a_duty_due_late_on_the_last_day_counts(
    client: FlaskClient, session: Session, teams: dict[str, Any]
) -> None:
    case = create_case(session, teams["ann"])
    late_evening = datetime(2026, 7, 31, 22, 30, tzinfo=UTC)  # 23:30 BST on 31 July
    create_duty(session, case, due_at=late_evening, status="missed")
    create_duty(session, case, due_at=late_evening + timedelta(hours=1), status="missed")
    body = _get(client, "admin", "?from=2026-07-01&to=2026-07-31").get_json()
    assert body["total"]["missed"] == 1 and body["total"]["on_time_percent"] == 0.0
