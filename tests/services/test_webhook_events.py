"""Webhook events: written in the transaction of their cause, fanned out to who may see them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.errors import ValidationFailed
from fieldapp.models import ApiKey, Message, Team, User
from fieldapp.models.base import utcnow
from fieldapp.services.api_keys import key_prefix
from fieldapp.services.messages.outcomes import record_delivered, record_failed
from fieldapp.services.messages.receipts import refresh_one
from fieldapp.services.webhooks.events import record_event, record_event_once
from tests.factories import create_team, create_user
from tests.factories.messages import (
    Addressee,
    create_addressee,
    create_duty,
    issue_key,
    queue_messages,
)
from tests.factories.templates import create_template, save_draft, submit
from tests.factories.webhooks import create_webhook, deliveries, events

HOOK = "https://hooks.example.org/in"


@pytest.fixture
def addressee(app: Flask, session: Session) -> Addressee:
    """A case (in the officer's team) with one victim."""
    return create_addressee(app, session)


@pytest.fixture
def admin(app: Flask, session: Session) -> User:
    """An admin in a team of their own."""
    return create_user(
        app, session, username="admin.hooks", role="admin", team=create_team(session)
    )


def _sent(session: Session, addressee: Addressee) -> Message:
    """A message Notify accepted."""
    [message_id] = queue_messages(
        session, addressee, status="sent", provider="notify", provider_reference="ref-1"
    )
    message = session.get(Message, message_id)
    assert message is not None
    return message


class _Provider:
    """A provider that reports one state for every message."""

    name = "notify"

    def __init__(self, state: str) -> None:
        self.state = state

    def status(self, _reference: str) -> str:
        return self.state


def test_a_delivery_receipt_writes_message_delivered_with_ids_only(
    app: Flask, session: Session, addressee: Addressee, admin: User
) -> None:
    create_webhook(app, session, admin, HOOK, ["message.delivered", "message.failed"])
    message = _sent(session, addressee)
    assert (
        refresh_one(session, _Provider("delivered"), message.id, "ref-1", now=utcnow())
        == "delivered"
    )  # type: ignore[arg-type]
    [event] = events(session)
    assert event.type == "message.delivered" and event.team_id == addressee.case.team_id
    assert event.data["message_id"] == str(message.id)
    assert event.data["crime_reference"] == addressee.case.crime_reference
    text = repr(event.data)
    assert "Alex" not in text and "+4477" not in text and "Dear" not in text
    assert [d.event_id for d in deliveries(session)] == [event.id]


def test_a_failed_receipt_writes_message_failed(
    app: Flask, session: Session, addressee: Addressee, admin: User
) -> None:
    create_webhook(app, session, admin, HOOK, ["message.failed"])
    message = _sent(session, addressee)
    refresh_one(session, _Provider("failed"), message.id, "ref-1", now=utcnow())  # type: ignore[arg-type]
    assert [(e.type, e.data["message_status"]) for e in events(session)] == [
        ("message.failed", "failed")
    ]


def test_a_rolled_back_outcome_leaves_no_event_and_no_delivery(
    app: Flask, session: Session, addressee: Addressee, admin: User
) -> None:
    create_webhook(app, session, admin, HOOK, ["message.delivered", "message.failed"])
    message = _sent(session, addressee)
    record_delivered(session, message, delivered_at=utcnow())
    session.flush()
    session.rollback()
    other = _sent_again(session, addressee)
    record_failed(session, other, reason="gone")
    session.rollback()
    assert events(session) == [] and deliveries(session) == []


def _sent_again(session: Session, addressee: Addressee) -> Message:
    """A second sent message."""
    [message_id] = queue_messages(
        session, addressee, status="sent", provider="notify", provider_reference="ref-2"
    )
    message = session.get(Message, message_id)
    assert message is not None
    return message


def test_submitting_a_template_writes_template_submitted_and_a_refused_submit_writes_none(
    app: Flask, session: Session, admin: User
) -> None:
    author = create_user(app, session, username="sup.author", role="supervisor")
    create_webhook(app, session, admin, HOOK, ["template.submitted"])
    key = create_template(session, author)
    submit(session, author, key, 1)
    [event] = events(session)
    assert (event.type, event.data["template_key"], event.data["template_version"]) == (
        "template.submitted",
        key,
        1,
    )
    bad = save_draft(session, author, key, "{{ victim.first_name }} " + "x" * 2000)
    with pytest.raises(ValidationFailed):
        submit(session, author, key, bad)
    session.rollback()
    assert len(events(session)) == 1 and len(deliveries(session)) == 1


def test_fan_out_reaches_only_active_subscribers_of_the_type_who_may_see_the_event(
    app: Flask, session: Session, addressee: Addressee, admin: User
) -> None:
    officer_team = addressee.case.team_id
    team = session.get(Team, officer_team)
    flow_user = create_user(app, session, username="flow.team", team=team)
    elsewhere = create_user(app, session, username="flow.other", team=create_team(session))
    key_id = _key_id(session, flow_user)
    other_key = _key_id(session, elsewhere)
    everyone = create_webhook(app, session, admin, HOOK, ["duty.overdue"])
    same_team = create_webhook(app, session, flow_user, HOOK, ["duty.overdue"], api_key_id=key_id)
    create_webhook(app, session, elsewhere, HOOK, ["duty.overdue"], api_key_id=other_key)
    create_webhook(app, session, admin, HOOK, ["duty.due_soon"])
    disabled = create_webhook(app, session, admin, HOOK, ["duty.overdue"])
    disabled.record.status = "disabled"
    session.commit()

    record_event(session, "duty.overdue", data={"duty_id": "d1"}, team_id=officer_team)
    session.commit()

    assert {d.subscription_id for d in deliveries(session)} == {everyone.id, same_team.id}
    assert {d.status for d in deliveries(session)} == {"pending"}


def test_a_template_event_does_not_reach_a_key_whose_user_is_now_an_officer(
    app: Flask, session: Session, addressee: Addressee
) -> None:
    user = create_user(app, session, username="flow.demoted", role="supervisor")
    key_id = _key_id(session, user)
    create_webhook(app, session, user, HOOK, ["template.submitted"], api_key_id=key_id)
    user.role = "officer"
    session.commit()
    record_event(session, "template.submitted", data={"template_key": "k"}, team_id=None)
    session.commit()
    assert deliveries(session) == []


def test_an_event_with_a_dedupe_key_is_written_once(
    app: Flask, session: Session, addressee: Addressee, admin: User
) -> None:
    create_webhook(app, session, admin, HOOK, ["duty.overdue"])
    duty = create_duty(session, addressee, due_in=timedelta(hours=-1))
    now = utcnow()
    first = record_event_once(
        session,
        "duty.overdue",
        dedupe_key=f"duty.overdue:{duty.id}",
        data={},
        team_id=None,
        now=now,
    )
    again = record_event_once(
        session,
        "duty.overdue",
        dedupe_key=f"duty.overdue:{duty.id}",
        data={},
        team_id=None,
        now=now,
    )
    session.commit()
    assert first is not None and again is None
    assert len(events(session)) == 1 and len(deliveries(session)) == 1


def _key_id(session: Session, user: User) -> uuid.UUID:
    """The id of a new webhooks key acting for ``user``."""
    secret = issue_key(session, user, ["webhooks"])
    found = session.scalar(select(ApiKey.id).where(ApiKey.prefix == key_prefix(secret)))
    assert found is not None
    return found
