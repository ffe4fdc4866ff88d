"""``flask webhooks deliver --once``: delivers what is due and says what it did."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from fieldapp.models.base import utcnow
from fieldapp.services.webhooks.events import record_event
from tests.factories import create_team, create_user
from tests.factories.webhooks import create_webhook, deliveries, running_receiver


def test_deliver_once_posts_the_due_deliveries_and_stops(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    team = create_team(session)
    admin = create_user(app, session, role="admin", team=team)
    with running_receiver() as receiver:
        create_webhook(app, session, admin, receiver.url, ["duty.overdue"])
        record_event(
            session,
            "duty.overdue",
            data={"duty_id": "d"},
            team_id=team.id,
            now=utcnow() - timedelta(seconds=5),
        )
        session.commit()
        result = runner.invoke(args=["webhooks", "deliver", "--once", "--worker-name", "cli"])
    assert result.exit_code == 0, result.output
    assert "webhook worker cli stopped: 1 delivered" in result.output
    assert len(receiver.received) == 1
    assert [d.status for d in deliveries(session)] == ["delivered"]


def test_deliver_refuses_a_lease_shorter_than_the_timeouts(
    app: Flask, runner: FlaskCliRunner
) -> None:
    app.config.update(WEBHOOK_LEASE_SECONDS=10, WEBHOOK_TIMEOUT_SECONDS=5)
    result = runner.invoke(args=["webhooks", "deliver", "--once"])
    assert result.exit_code != 0 and "FIELDAPP_WEBHOOK_LEASE_SECONDS" in result.output
