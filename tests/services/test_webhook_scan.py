"""The duty scan: due-soon and overdue events, once per (duty, kind) however often it runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from fieldapp.database import get_database
from fieldapp.models import User
from fieldapp.models.base import utcnow
from fieldapp.services.webhooks.scan import scan_duties
from tests.factories import create_team, create_user
from tests.factories.messages import Addressee, create_addressee, create_duty
from tests.factories.webhooks import create_webhook, deliveries, events

HOOK = "https://hooks.example.org/in"
SOON = timedelta(hours=48)
LOOKBACK = timedelta(hours=24)


@pytest.fixture
def addressee(app: Flask, session: Session) -> Addressee:
    """A case with one victim."""
    return create_addressee(app, session)


@pytest.fixture
def admin(app: Flask, session: Session) -> User:
    """An admin subscribed to both duty events."""
    user = create_user(app, session, username="admin.scan", role="admin", team=create_team(session))
    create_webhook(app, session, user, HOOK, ["duty.due_soon", "duty.overdue"])
    return user


def _scan(session: Session, **shift: float) -> dict[str, int]:
    """One scan at now (shifted by ``hours=``); what it recorded."""
    return dict(
        scan_duties(session, now=utcnow() + timedelta(**shift), due_soon=SOON, lookback=LOOKBACK)
    )


def test_a_duty_due_soon_and_then_overdue_gives_one_event_of_each(
    session: Session, addressee: Addressee, admin: User
) -> None:
    duty = create_duty(session, addressee, due_in=timedelta(hours=40))
    assert _scan(session) == {"duty.due_soon": 1}
    assert _scan(session) == {}
    assert _scan(session, hours=41) == {"duty.overdue": 1}
    assert _scan(session, hours=42) == {}
    assert [(e.type, e.data["duty_id"]) for e in events(session)] == [
        ("duty.due_soon", str(duty.id)),
        ("duty.overdue", str(duty.id)),
    ]
    assert len(deliveries(session)) == 2


def test_closed_duties_and_crossings_older_than_the_lookback_are_not_announced(
    session: Session, addressee: Addressee, admin: User
) -> None:
    met = create_duty(session, addressee, due_in=timedelta(hours=-1))
    met.status = "met"
    create_duty(session, addressee, due_in=timedelta(days=-3))
    create_duty(session, addressee, due_in=timedelta(days=10))
    session.commit()
    assert _scan(session) == {}
    assert events(session) == []


def test_nothing_is_recorded_without_a_subscriber(session: Session, addressee: Addressee) -> None:
    create_duty(session, addressee, due_in=timedelta(hours=-1))
    assert _scan(session) == {}
    assert events(session) == []


def test_scans_by_two_workers_write_each_event_once(
    app: Flask, session: Session, addressee: Addressee, admin: User
) -> None:
    create_duty(session, addressee, due_in=timedelta(hours=-1))
    with get_database(app).sessions() as other:  # a second worker's session
        assert dict(scan_duties(other, now=utcnow(), due_soon=SOON, lookback=LOOKBACK)) == {
            "duty.overdue": 1
        }
    assert _scan(session) == {}
    assert len(events(session)) == 1 and len(deliveries(session)) == 1
