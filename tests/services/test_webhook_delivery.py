"""The webhook worker: signed POSTs, retries with backoff, abandonment, disabling, re-checks."""

from __future__ import annotations

import ipaddress
import json
import logging
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from fieldapp.core.webhook_backoff import Backoff
from fieldapp.core.webhook_signatures import verify
from fieldapp.core.webhook_urls import IPAddress, Target
from fieldapp.database import get_database
from fieldapp.models import ApiKey, Team, User, WebhookSubscription
from fieldapp.models.base import utcnow
from fieldapp.services.webhooks.delivery import claim
from fieldapp.services.webhooks.events import record_event
from fieldapp.services.webhooks.subscriptions import IssuedSubscription
from fieldapp.services.webhooks.worker import Worker, run_worker
from tests.factories import audit_rows, create_team, create_user
from tests.factories.messages import issue_key
from tests.factories.webhooks import (
    Receiver,
    create_webhook,
    deliveries,
    running_receiver,
    webhook_settings,
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow() + timedelta(seconds=1)  # after the events the test just wrote

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A local receiver answering 204."""
    with running_receiver() as running:
        yield running


@pytest.fixture
def team(session: Session) -> Team:
    """The team the events are about."""
    return create_team(session, name="Eastfield")


@pytest.fixture
def admin(app: Flask, session: Session, team: Team) -> User:
    """An admin who owns the subscriptions."""
    return create_user(app, session, username="admin.deliver", role="admin", team=team)


@pytest.fixture
def hook(app: Flask, session: Session, admin: User, receiver: Receiver) -> IssuedSubscription:
    """An admin's subscription to overdue duties at the receiver."""
    return create_webhook(app, session, admin, receiver.url, ["duty.overdue"])


def _event(session: Session, team: Team, **data: Any) -> uuid.UUID:
    """An overdue event about the team, committed."""
    event_id = record_event(
        session, "duty.overdue", data={"duty_id": str(uuid.uuid4()), **data}, team_id=team.id
    )
    session.commit()
    return event_id


def _run(app: Flask, clock: Clock, **settings: Any) -> Counter[str]:
    """One pass of a worker (no sleeping), at the clock's time, with full jitter fixed at 1."""
    worker = Worker("w1", webhook_settings(app, **settings), random=lambda: 1.0)
    tally = run_worker(get_database(app).sessions, worker, once=True, clock=clock)
    tally.pop("already", None)
    return tally


def test_a_delivery_is_posted_signed_and_the_signature_verifies(
    app: Flask, session: Session, team: Team, hook: IssuedSubscription, receiver: Receiver
) -> None:
    clock = Clock()
    event_id = _event(session, team, crime_reference="EF/1/26")
    assert _run(app, clock) == Counter({"delivered": 1})
    [received] = receiver.received
    assert received.path == "/hooks"
    assert received.headers["Fieldapp-Event-Id"] == str(event_id)
    assert received.headers["Fieldapp-Event-Type"] == "duty.overdue"
    assert received.headers["Content-Type"] == "application/json"
    signature = received.headers["Fieldapp-Signature"]
    now = int(clock.now.timestamp())
    assert hook.secret is not None
    assert verify(hook.secret, signature, received.body, now=now)
    assert not verify(hook.secret, signature, received.body + b" ", now=now)
    assert not verify(hook.secret, signature, received.body, now=now + 301)
    body = json.loads(received.body)
    assert (body["id"], body["type"], body["data"]["crime_reference"]) == (
        str(event_id),
        "duty.overdue",
        "EF/1/26",
    )
    [delivery] = deliveries(session)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    session.refresh(hook.record)
    assert hook.record.last_success_at is not None and hook.record.consecutive_failures == 0


def test_a_failed_attempt_is_retried_after_a_growing_delay(
    app: Flask, session: Session, team: Team, hook: IssuedSubscription, receiver: Receiver
) -> None:
    clock = Clock()
    receiver.status = 500
    _event(session, team)
    assert _run(app, clock) == Counter({"retry": 1})
    [delivery] = deliveries(session)
    assert delivery.available_at - clock.now == timedelta(seconds=30)
    assert (delivery.last_status_code, delivery.last_error) == (500, "HTTP 500")
    clock.advance(seconds=29)
    assert _run(app, clock) == Counter()
    clock.advance(seconds=1)
    assert _run(app, clock) == Counter({"retry": 1})
    [delivery] = deliveries(session)
    assert delivery.available_at - clock.now == timedelta(seconds=60)
    receiver.status = 200
    clock.advance(seconds=60)
    assert _run(app, clock) == Counter({"delivered": 1})
    assert len(receiver.received) == 3
    session.refresh(hook.record)
    assert hook.record.consecutive_failures == 0


def test_redirects_are_not_followed_and_count_as_failures(
    app: Flask, session: Session, team: Team, hook: IssuedSubscription, receiver: Receiver
) -> None:
    receiver.status = 302
    _event(session, team)
    assert _run(app, Clock()) == Counter({"retry": 1})
    assert len(receiver.received) == 1


def test_a_delivery_is_abandoned_after_its_last_attempt(
    app: Flask, session: Session, team: Team, hook: IssuedSubscription, receiver: Receiver
) -> None:
    clock = Clock()
    receiver.status = 503
    _event(session, team)
    backoff = Backoff(base=timedelta(seconds=1), cap=timedelta(seconds=1), max_attempts=3)
    outcomes = []
    for _ in range(3):
        outcomes += list(_run(app, clock, backoff=backoff).elements())
        clock.advance(seconds=1)
    assert outcomes == ["retry", "retry", "abandoned"]
    assert [(d.status, d.attempts) for d in deliveries(session)] == [("abandoned", 3)]
    assert _run(app, clock, backoff=backoff) == Counter()


def test_a_subscription_failing_long_enough_is_disabled_with_a_notice(
    app: Flask,
    session: Session,
    team: Team,
    hook: IssuedSubscription,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    receiver.status = 500
    settings = {
        "backoff": Backoff(base=timedelta(minutes=20), cap=timedelta(minutes=20), max_attempts=50),
        "disable_after_failures": 3,
        "disable_after": timedelta(hours=1),
    }
    _event(session, team)
    for _ in range(3):  # three failures within an hour: not yet
        assert _run(app, clock, **settings) == Counter({"retry": 1})
        clock.advance(minutes=20)
    session.refresh(hook.record)
    assert (hook.record.status, hook.record.consecutive_failures) == ("active", 3)
    _event(session, team)  # a second event, pending when the subscription is disabled
    with caplog.at_level(logging.WARNING, logger="fieldapp.webhooks"):
        assert _run(app, clock, **settings)["retry"] == 1
    session.refresh(hook.record)
    assert hook.record.status == "disabled"
    assert (
        hook.record.disabled_reason is not None and "4 consecutive" in hook.record.disabled_reason
    )
    assert {d.status for d in deliveries(session)} == {"cancelled"}
    [notice] = [
        r
        for r in audit_rows(session, resource_type="webhook")
        if r.actor_name == "webhook delivery"
    ]
    assert (notice.resource_id, notice.outcome) == (str(hook.id), "allowed")
    assert "disabled after repeated failures" in caplog.text


def test_a_success_resets_the_failure_count(
    app: Flask, session: Session, team: Team, hook: IssuedSubscription, receiver: Receiver
) -> None:
    clock = Clock()
    receiver.status = 500
    _event(session, team)
    _run(app, clock)
    receiver.status = 204
    clock.advance(minutes=5)
    _run(app, clock)
    session.refresh(hook.record)
    assert (hook.record.consecutive_failures, hook.record.first_failure_at) == (0, None)


def test_a_subscription_disabled_meanwhile_gets_nothing(
    app: Flask, session: Session, team: Team, hook: IssuedSubscription, receiver: Receiver
) -> None:
    _event(session, team)
    hook.record.status = "disabled"
    session.commit()
    assert _run(app, Clock()) == Counter({"cancelled": 1})
    assert receiver.received == []
    assert [(d.status, d.last_error) for d in deliveries(session)] == [
        ("cancelled", "subscription disabled")
    ]


def test_a_subscription_deleted_meanwhile_gets_nothing(
    app: Flask, session: Session, team: Team, hook: IssuedSubscription, receiver: Receiver
) -> None:
    _event(session, team)
    for delivery in deliveries(session):
        session.delete(delivery)
    session.delete(session.get(WebhookSubscription, hook.id))
    session.commit()
    assert _run(app, Clock()) == Counter()
    assert receiver.received == []


def test_a_revoked_key_stops_its_subscriptions_deliveries(
    app: Flask, session: Session, team: Team, receiver: Receiver
) -> None:
    flow = create_user(app, session, username="flow.deliver", team=team)
    issue_key(session, flow, ["webhooks"])
    key = session.query(ApiKey).one()
    create_webhook(app, session, flow, receiver.url, ["duty.overdue"], api_key_id=key.id)
    _event(session, team)
    key.revoked_at = utcnow()
    session.commit()
    assert _run(app, Clock()) == Counter({"cancelled": 1})
    assert receiver.received == []
    assert deliveries(session)[0].last_error == "API key revoked"


def test_a_disabled_owner_stops_deliveries(
    app: Flask,
    session: Session,
    team: Team,
    admin: User,
    hook: IssuedSubscription,
    receiver: Receiver,
) -> None:
    _event(session, team)
    admin.disabled = True
    session.commit()
    assert _run(app, Clock()) == Counter({"cancelled": 1})
    assert receiver.received == []


def test_a_host_that_now_resolves_to_a_private_address_is_refused_and_audited(
    app: Flask, session: Session, team: Team, admin: User, receiver: Receiver
) -> None:
    hook = create_webhook(app, session, admin, "https://hooks.example.org/in", ["duty.overdue"])
    _event(session, team)
    sent: list[bytes] = []

    def private(_host: str, _port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("10.0.0.7")]

    def sender(
        _t: Target, _a: IPAddress, body: bytes, _h: dict[str, str], _timeout: float
    ) -> tuple[int, bytes]:
        sent.append(body)
        return 204, b""

    worker = Worker(
        "w1", webhook_settings(app), resolver=private, sender=sender, random=lambda: 1.0
    )
    tally = run_worker(get_database(app).sessions, worker, once=True, clock=Clock())
    assert tally["retry"] == 1 and sent == []
    assert deliveries(session)[0].last_error.startswith("refused: ")  # type: ignore[union-attr]
    refused = [r for r in audit_rows(session, resource_type="webhook") if r.outcome == "denied"]
    assert [(r.resource_id, r.actor_name) for r in refused] == [(str(hook.id), "webhook delivery")]


def test_a_timeout_is_a_failed_attempt(
    app: Flask, session: Session, team: Team, hook: IssuedSubscription
) -> None:
    _event(session, team)

    def slow(
        _t: Target, _a: IPAddress, _b: bytes, _h: dict[str, str], _timeout: float
    ) -> tuple[int, bytes]:
        raise TimeoutError

    worker = Worker("w1", webhook_settings(app), sender=slow, random=lambda: 1.0)
    assert run_worker(get_database(app).sessions, worker, once=True, clock=Clock())["retry"] == 1
    assert deliveries(session)[0].last_error == "timed out"


def test_an_event_the_owner_may_no_longer_see_is_not_delivered(
    app: Flask, session: Session, team: Team, receiver: Receiver
) -> None:
    flow = create_user(app, session, username="flow.moved", team=team)
    issue_key(session, flow, ["webhooks"])
    key = session.query(ApiKey).one()
    create_webhook(app, session, flow, receiver.url, ["duty.overdue"], api_key_id=key.id)
    _event(session, team)
    flow.team_id = create_team(session).id
    session.commit()
    assert _run(app, Clock()) == Counter({"cancelled": 1})
    assert receiver.received == []


def test_two_workers_never_claim_the_same_delivery_and_a_dead_workers_claim_is_retaken(
    app: Flask, session: Session, team: Team, hook: IssuedSubscription, receiver: Receiver
) -> None:
    clock = Clock()
    _event(session, team)
    settings = webhook_settings(app)
    with get_database(app).sessions() as first, get_database(app).sessions() as second:
        taken = claim(first, worker="dies", batch=10, settings=settings, now=clock())
        assert len(taken) == 1
        assert claim(second, worker="other", batch=10, settings=settings, now=clock()) == []
    clock.advance(seconds=settings.lease.total_seconds() + 1)
    assert _run(app, clock) == Counter({"delivered": 1})
    assert [(d.status, d.attempts, d.claimed_by) for d in deliveries(session)] == [
        ("delivered", 2, "w1")
    ]
    assert len(receiver.received) == 1
