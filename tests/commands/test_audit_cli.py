"""flask --app wsgi audit verify finds the first tampered record."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from fieldapp.models import AuditRecord
from tests.factories import bearer, create_user, login


def _make_trail(app: Flask, session: Session, cases: int) -> None:
    create_user(app, session, username="pc.trail")
    client = app.test_client()
    token = login(client, "pc.trail")["access_token"]
    for n in range(cases):
        response = client.post(
            "/api/v1/cases",
            json={"crime_reference": f"42/77{n:02d}/26", "offence": "Theft"},
            headers=bearer(token),
        )
        assert response.status_code == 201


def test_verify_passes_on_an_untouched_trail(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    _make_trail(app, session, 4)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "6 records verified" in result.output  # the account, the sign-in, 4 cases


def test_verify_reports_an_edited_record(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    _make_trail(app, session, 5)
    session.execute(update(AuditRecord).where(AuditRecord.seq == 3).values(actor_name="someone"))
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at record 3" in result.output
    assert "2 records before it verified" in result.output


def test_verify_reports_a_deleted_record(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    _make_trail(app, session, 5)
    session.execute(delete(AuditRecord).where(AuditRecord.seq == 7))  # the last record
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at record 7" in result.output
