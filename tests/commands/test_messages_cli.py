"""``flask messages deliver`` and ``refresh``: the manual provider, settings, a killed worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.models import Message, OutboxItem
from tests.conftest import TEST_SECRETS
from tests.message_factories import create_addressee, queue_messages
from tests.notify_standin import (
    EMAIL_TEMPLATE_ID,
    SMS_TEMPLATE_ID,
    NotifyStandIn,
    running_standin,
)

PROJECT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3


@pytest.fixture
def standin() -> Iterator[NotifyStandIn]:
    """A Notify stand-in on loopback."""
    with running_standin() as running:
        yield running


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
    """What a deployed worker would be given: the database, Notify, a short lease."""
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
        "FIELDAPP_NOTIFY_TIMEOUT_SECONDS": "1",
        "FIELDAPP_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
    }


def wait_for_sends(standin: NotifyStandIn, count: int, *, within: float) -> None:
    """Wait until the stand-in has accepted ``count`` notifications."""
    deadline = time.monotonic() + within
    while len(standin.accepted) < count:
        assert time.monotonic() < deadline, f"only {len(standin.accepted)} sends arrived"
        time.sleep(0.005)


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    app: Flask, session: Session, database_url: str, standin: NotifyStandIn, tmp_path: Path
) -> None:
    ids = queue_messages(session, create_addressee(app, session), count=30)
    environment = worker_environment(database_url, standin, tmp_path / "instance")
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "messages", "deliver"]
    standin.delay = 0.2  # Notify accepts each message, then takes a while to answer
    doomed = subprocess.Popen([*command, "--batch", "4"], cwd=PROJECT, env=environment)
    try:
        wait_for_sends(standin, 6, within=30)
    finally:
        doomed.send_signal(signal.SIGKILL)  # mid-answer: the sixth send is accepted, unrecorded
        doomed.wait(timeout=10)
    accepted_before = len(standin.accepted)
    recorded = session.scalar(select(func.count()).where(Message.status == "sent"))
    assert recorded is not None and recorded < accepted_before, "the kill missed the window"

    standin.delay = 0
    time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's lease runs out
    heir = subprocess.run(
        [*command, "--once", "--worker-name", "heir"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert heir.returncode == 0, heir.stderr
    assert "found" in heir.stdout  # the accepted-but-unrecorded one was recognised, not resent
    sends = standin.sends_by_reference()
    assert sorted(sends) == sorted(str(i) for i in ids)
    assert set(sends.values()) == {1}
    session.expire_all()
    assert set(session.scalars(select(Message.status))) == {"sent"}
    assert session.scalar(select(func.count()).select_from(OutboxItem)) == 0
