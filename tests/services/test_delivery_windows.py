"""Safe contact times at delivery: outside a window a message waits for the next one, uncounted."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm import Session

from fieldapp.database import get_database
from fieldapp.models import Message, OutboxItem, Victim
from fieldapp.services.messages.delivery import DeliverySettings, claim, deliver_one, run_worker
from fieldapp.services.messages.providers.notify import NotifyProvider
from tests.factories.messages import Addressee, create_addressee, queue_messages
from tests.notify_standin import NotifyStandIn

SETTINGS = DeliverySettings(lease=timedelta(seconds=60), max_attempts=3)
WEEKDAY_DAYTIME = [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:00"}]
# Monday 4 January 2027 (GMT): 08:00 is before the window, 09:00 opens it.
MONDAY_EARLY = datetime(2027, 1, 4, 8, tzinfo=UTC)
MONDAY_OPENING = datetime(2027, 1, 4, 9, tzinfo=UTC)


@pytest.fixture
def addressee(app: Flask, session: Session) -> Addressee:
    """A victim who may be texted only on weekdays, 09:00 to 17:00 London time."""
    addressee = create_addressee(app, session)
    _set_times(session, addressee, WEEKDAY_DAYTIME)
    return addressee


def _set_times(session: Session, addressee: Addressee, windows: object) -> None:
    session.execute(
        update(Victim).where(Victim.id == addressee.victim.id).values(safe_contact_times=windows)
    )
    session.commit()


def _run(session: Session, provider: NotifyProvider, now: datetime) -> list[str]:
    ids = claim(session, worker="w", batch=10, lease=SETTINGS.lease, now=now)
    return [deliver_one(session, provider, i, worker="w", settings=SETTINGS, now=now) for i in ids]


def _outbox(session: Session, message_id: uuid.UUID) -> OutboxItem | None:
    session.expire_all()
    return session.get(OutboxItem, message_id)


def test_outside_the_window_the_message_waits_for_it_and_is_not_sent(
    session: Session, provider: NotifyProvider, standin: NotifyStandIn, addressee: Addressee
) -> None:
    [message_id] = queue_messages(session, addressee)

    assert _run(session, provider, MONDAY_EARLY) == ["deferred"]

    assert standin.accepted == []
    row = _outbox(session, message_id)
    assert row is not None
    assert (row.available_at, row.attempts, row.lease_until, row.claimed_by) == (
        MONDAY_OPENING, 0, None, None,
    )  # fmt: skip
    assert session.get(Message, message_id).status == "queued"  # type: ignore[union-attr]
    assert _run(session, provider, MONDAY_EARLY + timedelta(minutes=59)) == []


def test_when_the_window_opens_the_message_goes(
    session: Session, provider: NotifyProvider, standin: NotifyStandIn, addressee: Addressee
) -> None:
    [message_id] = queue_messages(session, addressee)
    _run(session, provider, MONDAY_EARLY)

    assert _run(session, provider, MONDAY_OPENING) == ["sent"]

    assert len(standin.accepted) == 1
    assert _outbox(session, message_id) is None
    assert session.get(Message, message_id).status == "sent"  # type: ignore[union-attr]


def test_deferrals_never_count_as_failed_attempts(
    session: Session, provider: NotifyProvider, standin: NotifyStandIn, addressee: Addressee
) -> None:
    [message_id] = queue_messages(session, addressee)
    saturday = datetime(2027, 1, 9, 12, tzinfo=UTC)
    for hour in range(SETTINGS.max_attempts + 2):  # more wake-ups than attempts allowed
        moment = saturday + timedelta(hours=hour)
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.message_id == message_id)
            .values(available_at=moment)
        )
        session.commit()
        assert _run(session, provider, moment) == ["deferred"]
    row = _outbox(session, message_id)
    assert row is not None and row.attempts == 0
    assert row.available_at == datetime(2027, 1, 11, 9, tzinfo=UTC)  # Monday 09:00
    assert _run(session, provider, row.available_at) == ["sent"]


def test_the_window_is_checked_again_at_delivery_time(
    session: Session, provider: NotifyProvider, standin: NotifyStandIn, addressee: Addressee
) -> None:
    [message_id] = queue_messages(session, addressee)
    _run(session, provider, MONDAY_EARLY)
    _set_times(session, addressee, [{"days": ["mon"], "from": "12:00", "to": "13:00"}])

    assert _run(session, provider, MONDAY_OPENING) == ["deferred"]
    row = _outbox(session, message_id)
    assert row is not None and row.available_at == datetime(2027, 1, 4, 12, tzinfo=UTC)

    _set_times(session, addressee, None)  # no restriction any more: goes at the next claim
    row.available_at = MONDAY_OPENING
    session.commit()
    assert _run(session, provider, MONDAY_OPENING) == ["sent"]


def test_the_window_is_london_time_across_the_spring_clock_change(
    session: Session, provider: NotifyProvider, standin: NotifyStandIn, addressee: Addressee
) -> None:
    [message_id] = queue_messages(session, addressee)
    # Saturday 27 March 2027 (GMT); the clocks go forward on Sunday 28 March.
    assert _run(session, provider, datetime(2027, 3, 27, 10, tzinfo=UTC)) == ["deferred"]
    row = _outbox(session, message_id)
    assert row is not None
    assert row.available_at == datetime(2027, 3, 29, 8, tzinfo=UTC)  # Monday 09:00 BST


def test_a_recipient_without_safe_contact_times_is_sent_to_at_any_hour(
    session: Session, provider: NotifyProvider, standin: NotifyStandIn, addressee: Addressee
) -> None:
    _set_times(session, addressee, None)
    queue_messages(session, addressee)
    assert _run(session, provider, datetime(2027, 1, 10, 3, tzinfo=UTC)) == ["sent"]


def test_the_worker_tallies_deferrals_with_an_injected_clock(
    app: Flask,
    session: Session,
    provider: NotifyProvider,
    standin: NotifyStandIn,
    addressee: Addressee,
) -> None:
    queue_messages(session, addressee, count=2)

    tally = run_worker(
        get_database(app).sessions,
        provider,
        worker="w",
        settings=SETTINGS,
        once=True,
        clock=lambda: MONDAY_EARLY,
    )

    assert tally == Counter({"deferred": 2})
    assert standin.accepted == []
