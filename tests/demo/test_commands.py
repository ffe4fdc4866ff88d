"""Demo data for make run."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.models import User
from tests.factories import bearer, login


def test_demo_load_creates_the_accounts_once_two_supervisors_for_four_eyes(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    credentials_file = Path(app.instance_path) / "demo-credentials.json"
    assert stat.S_IMODE(credentials_file.stat().st_mode) == 0o600
    credentials = json.loads(credentials_file.read_text())
    roles = {row.username: row.role for row in session.execute(select(User.username, User.role))}
    assert sorted(roles.values()) == ["admin", "auditor", "officer", "supervisor", "supervisor"]
    assert set(credentials) == set(roles)
    second = runner.invoke(args=["demo", "load"])
    assert "nothing loaded" in second.output
    assert session.scalar(select(func.count()).select_from(User)) == 5
    assert json.loads(credentials_file.read_text()) == credentials


def test_demo_show_prints_a_working_sign_in(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["demo", "load"])
    shown = runner.invoke(args=["demo", "show", "--base-url", "http://127.0.0.1:5000"])
    assert "curl -s -X POST http://127.0.0.1:5000/api/v1/auth/login" in shown.output
    assert "Supervisor console: http://127.0.0.1:5000/console/" in shown.output
    credentials = json.loads((Path(app.instance_path) / "demo-credentials.json").read_text())
    assert credentials["pc.ashworth"] in shown.output
    client = app.test_client()
    token = login(client, "pc.ashworth", credentials["pc.ashworth"])["access_token"]
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert me["display_name"] == "Sam Ashworth"
    assert me["role"] == "officer"


def test_demo_load_makes_cases_with_duties_overdue_due_and_met(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    from fieldapp.models import Case, ContactDuty
    from fieldapp.models.base import utcnow

    result = runner.invoke(args=["demo", "load"])
    assert "8 fictional cases" in result.output
    assert session.scalar(select(func.count()).select_from(Case)) == 8
    duties = list(session.scalars(select(ContactDuty)))
    statuses = sorted(d.status for d in duties)
    # The crime report gives three duties (confirmation, referral, needs assessment), all met.
    assert statuses == ["met"] * 3 + ["open"] * 7
    now = utcnow()
    assert any(d.status == "open" and d.due_at < now for d in duties), "one duty is overdue"
    assert any(d.status == "open" and d.due_at > now for d in duties), "one duty is still due"
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output


def test_demo_load_shows_who_is_being_told(runner: FlaskCliRunner, session: Session) -> None:
    from fieldapp.models import Victim

    runner.invoke(args=["demo", "load"])
    by_name = {v.first_name: v for v in session.scalars(select(Victim))}
    parent = by_name["Morgan"]
    assert parent.recipient_role == "parent_guardian" and parent.enhanced_rights
    assert [d["basis"] for d in parent.enhanced_derived] == ["vulnerable"]
    assert by_name["Sunita"].organisation_name == "Lantern Row Hardware Ltd"
    assert by_name["Dafydd"].language == "cy"
    letter_only = by_name["Edith"]
    assert letter_only.safe_channels == ["letter"]
    assert letter_only.postal_address is not None and letter_only.postal_address[-1] == "AA1 1AA"
