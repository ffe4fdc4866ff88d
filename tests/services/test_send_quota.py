"""The send quota: counted from the database over trailing windows, per officer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from fieldapp.errors import RateLimited
from fieldapp.services.messages.quota import quota_rules, take_send_slot, wait_before_next
from tests.factories import create_user
from tests.factories.messages import Addressee, create_addressee, queue_messages

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_quota_reads_as_counts_per_window() -> None:
    assert quota_rules("30/hour;100/day") == [(30, HOUR), (100, timedelta(days=1))]


def test_the_wait_is_until_the_oldest_counted_send_leaves_its_window() -> None:
    times = [NOW - timedelta(minutes=50), NOW - timedelta(minutes=20)]
    rules = [(2, HOUR)]

    assert wait_before_next(times, rules, NOW) == 600.0
    assert wait_before_next(times, [(3, HOUR)], NOW) == 0.0
    assert wait_before_next(times, rules, NOW + timedelta(minutes=10, seconds=1)) == 0.0


def test_every_window_must_have_room() -> None:
    times = [NOW - timedelta(hours=h) for h in (2, 3, 4)]
    assert wait_before_next(times, [(30, HOUR), (3, timedelta(days=1))], NOW) == 20 * 3600.0


@pytest.fixture
def addressee(app: Flask, session: Session) -> Addressee:
    """A case and victim to write to."""
    return create_addressee(app, session)


def test_sends_queued_and_confirmed_in_the_trailing_hour_count_and_older_ones_do_not(
    session: Session, addressee: Addressee
) -> None:
    officer = addressee.case.officer_in_charge_id
    queue_messages(session, addressee, queued_by_id=officer, queued_at=NOW - timedelta(minutes=59))
    queue_messages(session, addressee, queued_by_id=officer, queued_at=NOW - 2 * HOUR)
    queue_messages(
        session, addressee, status="sent", sent_by_id=officer, provider="manual",
        sent_at=NOW - HOUR, confirmed_at=NOW - timedelta(minutes=30),
    )  # fmt: skip

    with pytest.raises(RateLimited) as refused:
        take_send_slot(session, officer, quota="2/hour", now=NOW)
    session.rollback()
    take_send_slot(session, officer, quota="3/hour", now=NOW)
    session.rollback()
    take_send_slot(session, officer, quota="2/hour", now=NOW + timedelta(minutes=1, seconds=1))
    session.rollback()

    assert refused.value.headers == {"Retry-After": "60"}


def test_another_officers_sends_do_not_count(
    app: Flask, session: Session, addressee: Addressee
) -> None:
    colleague = create_user(app, session)
    queue_messages(session, addressee, count=2, queued_by_id=colleague.id, queued_at=NOW)

    take_send_slot(session, addressee.case.officer_in_charge_id, quota="1/hour", now=NOW)
    session.rollback()
    with pytest.raises(RateLimited):
        take_send_slot(session, colleague.id, quota="2/hour", now=NOW)
