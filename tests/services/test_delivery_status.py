"""Delivery receipts: sent messages become delivered or failed, and a failure reopens its duty."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.database import get_database
from fieldapp.models import AuditRecord, ContactDuty, Message
from fieldapp.models.base import utcnow
from fieldapp.services.messages.delivery import DeliverySettings, run_worker
from fieldapp.services.messages.providers.notify import NotifyProvider
from fieldapp.services.messages.receipts import REOPENED, refresh_statuses
from tests.factories.messages import BODY, Addressee, create_addressee, create_duty, queue_messages
from tests.notify_standin import NotifyStandIn

SETTINGS = DeliverySettings(lease=timedelta(seconds=60), max_attempts=3)


@pytest.fixture
def addressee(app: Flask, session: Session) -> Addressee:
    """A case and victim to write to."""
    return create_addressee(app, session)


def send(
    app: Flask,
    session: Session,
    provider: NotifyProvider,
    addressee: Addressee,
    *,
    count: int = 1,
    **overrides: Any,
) -> list[Message]:
    """Queue ``count`` messages and let a delivery worker send them through the stand-in."""
    ids = queue_messages(session, addressee, count=count, **overrides)
    sent = run_worker(
        get_database(app).sessions, provider, worker="w", settings=SETTINGS, once=True
    )
    assert sent == Counter({"sent": count})
    return [stored(session, message_id) for message_id in ids]


def stored(session: Session, message_id: uuid.UUID) -> Message:
    """The message as the database holds it now."""
    session.expire_all()
    message = session.get(Message, message_id)
    assert message is not None
    return message


def reported(standin: NotifyStandIn, message: Message, status: str) -> None:
    """Have Notify report ``status`` for the message."""
    assert message.provider_reference is not None
    standin.set_status(message.provider_reference, status)


def test_a_delivered_message_is_recorded_delivered_and_its_duty_stays_met(
    app: Flask,
    session: Session,
    provider: NotifyProvider,
    standin: NotifyStandIn,
    addressee: Addressee,
) -> None:
    duty = create_duty(session, addressee, due_in=timedelta(days=1))
    [message] = send(app, session, provider, addressee, duty_id=duty.id)
    reported(standin, message, "delivered")
    now = utcnow()

    tally = refresh_statuses(session, provider, now=now)

    assert tally == Counter({"delivered": 1})
    message = stored(session, message.id)
    assert (message.status, message.delivered_at) == ("delivered", now)
    assert session.get(ContactDuty, duty.id).status == "met"  # type: ignore[union-attr]


@pytest.mark.parametrize("notify_status", ["permanent-failure", "temporary-failure"])
def test_a_failed_message_reopens_the_duty_it_met_and_audits_the_reopening(
    app: Flask,
    session: Session,
    provider: NotifyProvider,
    standin: NotifyStandIn,
    addressee: Addressee,
    notify_status: str,
) -> None:
    duty = create_duty(session, addressee, due_in=timedelta(days=1))
    [message] = send(app, session, provider, addressee, duty_id=duty.id)
    assert session.get(ContactDuty, duty.id).status == "met"  # type: ignore[union-attr]
    reported(standin, message, notify_status)
    now = utcnow()

    tally = refresh_statuses(session, provider, now=now)

    assert tally == Counter({"failed": 1})
    message = stored(session, message.id)
    assert message.status == "failed" and message.delivered_at is None
    reason = message.failure_reason or ""
    assert "contact details" in reason
    assert message.recipient not in reason and "Alex" not in reason and BODY not in reason
    reopened = session.get(ContactDuty, duty.id)
    assert reopened is not None
    assert (reopened.status, reopened.message_id, reopened.reason) == ("open", None, REOPENED)
    assert (reopened.closed_at, reopened.closed_by_id, reopened.updated_at) == (None, None, now)
    alterations = session.scalars(
        select(AuditRecord).where(
            AuditRecord.operation == "alteration", AuditRecord.resource_type == "duty"
        )
    ).all()
    assert [(a.resource_id, a.field_groups, a.actor_id) for a in alterations] == [
        (str(duty.id), "status", addressee.case.officer_in_charge_id)
    ]


def test_a_duty_met_by_another_message_is_left_alone_when_this_one_fails(
    app: Flask,
    session: Session,
    provider: NotifyProvider,
    standin: NotifyStandIn,
    addressee: Addressee,
) -> None:
    duty = create_duty(session, addressee, due_in=timedelta(days=1))
    first, second = send(app, session, provider, addressee, count=2, duty_id=duty.id)
    met_by = session.get(ContactDuty, duty.id).message_id  # type: ignore[union-attr]
    other = second if met_by == first.id else first
    reported(standin, other, "permanent-failure")

    assert refresh_statuses(session, provider, now=utcnow())["failed"] == 1

    session.expire_all()
    duty_now = session.get(ContactDuty, duty.id)
    assert duty_now is not None and (duty_now.status, duty_now.message_id) == ("met", met_by)
    assert (
        session.scalars(select(AuditRecord).where(AuditRecord.resource_type == "duty")).all() == []
    )


@pytest.mark.parametrize("notify_status", ["created", "sending", "pending"])
def test_a_message_still_on_its_way_is_left_sent(
    app: Flask,
    session: Session,
    provider: NotifyProvider,
    standin: NotifyStandIn,
    addressee: Addressee,
    notify_status: str,
) -> None:
    [message] = send(app, session, provider, addressee)
    reported(standin, message, notify_status)
    before = message.updated_at

    tally = refresh_statuses(session, provider, now=utcnow())

    assert tally == Counter({"pending": 1})
    message = stored(session, message.id)
    assert (message.status, message.delivered_at, message.updated_at) == ("sent", None, before)


def test_a_message_sent_before_the_window_is_not_asked_about(
    app: Flask,
    session: Session,
    provider: NotifyProvider,
    standin: NotifyStandIn,
    addressee: Addressee,
) -> None:
    [message] = send(app, session, provider, addressee)
    reported(standin, message, "delivered")
    now = utcnow()
    message.sent_at = now - timedelta(hours=73)
    session.commit()

    tally = refresh_statuses(session, provider, now=now, window=timedelta(hours=72))

    assert tally == Counter()
    assert stored(session, message.id).status == "sent"
    assert standin.requests[f"GET /v2/notifications/{message.provider_reference}"] == 0


def test_one_status_check_error_does_not_stop_the_others(
    app: Flask,
    session: Session,
    provider: NotifyProvider,
    standin: NotifyStandIn,
    addressee: Addressee,
) -> None:
    messages = send(app, session, provider, addressee, count=3)
    for message in messages:
        reported(standin, message, "delivered")
    standin.fail_next_status_checks(1, 500)

    tally = refresh_statuses(session, provider, now=utcnow())

    assert tally == Counter({"delivered": 2, "error": 1})
    statuses = Counter(stored(session, m.id).status for m in messages)
    assert statuses == Counter({"delivered": 2, "sent": 1})  # the errored one waits for next time


def test_every_sent_message_is_checked_when_there_are_more_than_a_batch(
    app: Flask,
    session: Session,
    provider: NotifyProvider,
    standin: NotifyStandIn,
    addressee: Addressee,
) -> None:
    messages = send(app, session, provider, addressee, count=5)
    for message in messages[:2]:
        reported(standin, message, "sending")  # still pending: must not be asked twice
    for message in messages[2:]:
        reported(standin, message, "delivered")

    tally = refresh_statuses(session, provider, now=utcnow(), batch=2)

    assert tally == Counter({"pending": 2, "delivered": 3})
    checks = [standin.requests[f"GET /v2/notifications/{m.provider_reference}"] for m in messages]
    assert checks == [1] * 5


def test_a_message_changed_while_notify_answered_is_not_overwritten(
    app: Flask,
    session: Session,
    provider: NotifyProvider,
    standin: NotifyStandIn,
    addressee: Addressee,
) -> None:
    [message] = send(app, session, provider, addressee)
    reported(standin, message, "permanent-failure")
    status = provider.status

    def status_then_someone_else_records_delivery(provider_id: str) -> Any:
        answer = status(provider_id)
        with get_database(app).sessions() as other:
            stored_elsewhere = other.get(Message, message.id)
            assert stored_elsewhere is not None
            stored_elsewhere.status = "delivered"
            other.commit()
        return answer

    provider.status = status_then_someone_else_records_delivery  # type: ignore[method-assign]

    tally = refresh_statuses(session, provider, now=utcnow())

    assert tally == Counter({"skipped": 1})
    assert stored(session, message.id).status == "delivered"
