"""``flask messages deliver`` and ``refresh``: the manual provider, settings, a killed worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.database import get_database
from fieldapp.models import Message, OutboxItem
from fieldapp.models.base import utcnow
from fieldapp.services.messages.delivery import run_worker, settings_from_config
from fieldapp.services.messages.providers import provider_from_config
from tests.conftest import TEST_SECRETS
from tests.factories.messages import create_addressee, queue_messages
from tests.notify_standin import EMAIL_TEMPLATE_ID, SMS_TEMPLATE_ID, NotifyStandIn

PROJECT = Path(__file__).resolve().parents[2]
# Long enough that the held send never times out: the lease runs out by a clock step, not a wait.
LEASE_SECONDS = 120
NOTIFY_TIMEOUT_SECONDS = 50
#: Hang guards only: waits end on an event long before these.
HANG_GUARD_SECONDS = 60


def use_notify(app: Flask, standin: NotifyStandIn) -> None:
    """Point the app's provider settings at the stand-in."""
    app.config.update(
        MESSAGE_PROVIDER="notify",
        NOTIFY_API_KEY=standin.api_key,
        NOTIFY_BASE_URL=standin.base_url,
        NOTIFY_SMS_TEMPLATE_ID=SMS_TEMPLATE_ID,
        NOTIFY_EMAIL_TEMPLATE_ID=EMAIL_TEMPLATE_ID,
    )


def test_deliver_with_the_manual_provider_explains_there_is_nothing_to_do(
    runner: FlaskCliRunner,
) -> None:
    result = runner.invoke(args=["messages", "deliver", "--once"])

    assert result.exit_code == 0, result.output
    assert "'manual'" in result.output
    assert "POST /api/v1/messages/{id}/sent" in result.output


def test_deliver_refuses_notify_without_its_key(app: Flask, runner: FlaskCliRunner) -> None:
    app.config.update(MESSAGE_PROVIDER="notify", NOTIFY_API_KEY="")

    result = runner.invoke(args=["messages", "deliver", "--once"])

    assert result.exit_code == 1
    assert "FIELDAPP_NOTIFY_API_KEY" in result.output


def test_deliver_refuses_a_lease_shorter_than_a_send(
    app: Flask, runner: FlaskCliRunner, standin: NotifyStandIn
) -> None:
    use_notify(app, standin)
    app.config.update(DELIVERY_LEASE_SECONDS=10, NOTIFY_TIMEOUT_SECONDS=10)

    result = runner.invoke(args=["messages", "deliver", "--once"])

    assert result.exit_code == 1
    assert "must exceed twice" in result.output


def test_deliver_once_sends_what_is_queued_and_stops(
    app: Flask, runner: FlaskCliRunner, session: Session, standin: NotifyStandIn
) -> None:
    use_notify(app, standin)
    ids = queue_messages(session, create_addressee(app, session), count=3)

    result = runner.invoke(args=["messages", "deliver", "--once", "--worker-name", "cli"])

    assert result.exit_code == 0, result.output
    assert "delivery worker cli stopped: 3 sent" in result.output
    assert sorted(standin.sends_by_reference()) == sorted(str(i) for i in ids)


def test_refresh_with_the_manual_provider_explains_there_is_nothing_to_do(
    runner: FlaskCliRunner,
) -> None:
    result = runner.invoke(args=["messages", "refresh", "--once"])

    assert result.exit_code == 0, result.output
    assert "'manual'" in result.output
    assert "nothing to refresh" in result.output


def test_refresh_once_records_what_notify_reports_and_stops(
    app: Flask, runner: FlaskCliRunner, session: Session, standin: NotifyStandIn
) -> None:
    use_notify(app, standin)
    ids = queue_messages(session, create_addressee(app, session), count=3)
    assert runner.invoke(args=["messages", "deliver", "--once"]).exit_code == 0
    for notification, status in zip(
        standin.accepted, ["delivered", "permanent-failure", "sending"], strict=True
    ):
        standin.set_status(notification["id"], status)

    result = runner.invoke(args=["messages", "refresh", "--once"])

    assert result.exit_code == 0, result.output
    assert "status refresher stopped: 1 delivered, 1 failed, 1 pending" in result.output
    session.expire_all()
    statuses = session.scalars(select(Message.status).where(Message.id.in_(ids))).all()
    assert sorted(statuses) == ["delivered", "failed", "sent"]


def worker_environment(database_url: str, standin: NotifyStandIn, instance: Path) -> dict[str, str]:
    """What a deployed worker would be given: the database, Notify and its settings."""
    return {
        **os.environ,
        **{f"FIELDAPP_{name}": value for name, value in TEST_SECRETS.items()},
        "FIELDAPP_INSTANCE_PATH": str(instance),
        "FIELDAPP_DATABASE_URL": database_url,
        "FIELDAPP_LOG_LEVEL": "WARNING",
        "FIELDAPP_MESSAGE_PROVIDER": "notify",
        "FIELDAPP_NOTIFY_API_KEY": standin.api_key,
        "FIELDAPP_NOTIFY_BASE_URL": standin.base_url,
        "FIELDAPP_NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE_ID,
        "FIELDAPP_NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE_ID,
        "FIELDAPP_NOTIFY_TIMEOUT_SECONDS": str(NOTIFY_TIMEOUT_SECONDS),
        "FIELDAPP_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
    }


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    app: Flask, session: Session, database_url: str, standin: NotifyStandIn, tmp_path: Path
) -> None:
    ids = queue_messages(session, create_addressee(app, session), count=30)
    environment = worker_environment(database_url, standin, tmp_path / "instance")
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "messages", "deliver"]
    standin.hold_answers(after=5)  # Notify accepts the sixth message, then holds its answer
    doomed = subprocess.Popen([*command, "--batch", "4"], cwd=PROJECT, env=environment)
    try:
        arrived = standin.wait_for_accepted(6, timeout=HANG_GUARD_SECONDS)
    finally:
        doomed.send_signal(signal.SIGKILL)  # mid-answer: the sixth send is accepted, unrecorded
        doomed.wait(timeout=HANG_GUARD_SECONDS)
    assert arrived, f"only {len(standin.accepted)} sends arrived"
    assert len(standin.accepted) == 6
    assert session.scalar(select(func.count()).where(Message.status == "sent")) == 5

    standin.release.set()
    use_notify(app, standin)
    app.config.update(DELIVERY_LEASE_SECONDS=LEASE_SECONDS)
    provider = provider_from_config(app.config)
    assert provider is not None
    after_the_lease = utcnow() + timedelta(seconds=LEASE_SECONDS + 1)  # the dead worker's ran out
    tally = run_worker(
        get_database(app).sessions,
        provider,
        worker="heir",
        settings=settings_from_config(app.config),
        once=True,
        clock=lambda: after_the_lease,
    )

    # The accepted-but-unrecorded one was recognised, not resent; the rest were sent once each.
    assert tally == Counter({"found": 1, "sent": len(ids) - 6})
    sends = standin.sends_by_reference()
    assert sorted(sends) == sorted(str(i) for i in ids)
    assert set(sends.values()) == {1}
    session.expire_all()
    assert set(session.scalars(select(Message.status))) == {"sent"}
    assert session.scalar(select(func.count()).select_from(OutboxItem)) == 0
