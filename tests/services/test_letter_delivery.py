"""Letters through the delivery worker: a queued letter is rendered and posted to GOV.UK Notify's
precompiled-letter API once; one whose recipient moved since is void and never reaches Notify."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from fieldapp.models import Message
from fieldapp.models.base import utcnow
from fieldapp.services.messages.delivery import DeliverySettings, claim, deliver_one
from fieldapp.services.messages.providers.notify import notify_from_config
from tests.core.letters.pdf_text import text
from tests.factories.letters import ADDRESS
from tests.factories.messages import Addressee, create_addressee, queue_messages
from tests.notify_standin import NotifyStandIn, notify_config

SETTINGS = DeliverySettings(lease=timedelta(seconds=60), max_attempts=3)


@pytest.fixture
def addressee(app: Flask, session: Session) -> Addressee:
    """A case and a victim who takes letters at a postal address."""
    found = create_addressee(app, session)
    found.victim.postal_address = list(ADDRESS)
    found.victim.safe_channels = ["sms", "email", "letter"]
    session.commit()
    return found


def _deliver(session: Session, standin: NotifyStandIn) -> list[str]:
    """Claim and deliver everything queued now; the outcomes."""
    provider = notify_from_config(notify_config(standin))
    now = utcnow()
    ids = claim(session, worker="w", batch=10, lease=SETTINGS.lease, now=now)
    return [deliver_one(session, provider, i, worker="w", settings=SETTINGS, now=now) for i in ids]


def _queue_letter(session: Session, addressee: Addressee) -> Message:
    """A queued letter to the addressee's postal address."""
    [message_id] = queue_messages(
        session, addressee, channel="letter", recipient=", ".join(ADDRESS),
        address_lines=list(ADDRESS), postage="first", print_format="standard",
    )  # fmt: skip
    message = session.get(Message, message_id)
    assert message is not None
    return message


def test_a_queued_letter_is_posted_to_notify_once_and_recorded_sent(
    session: Session, standin: NotifyStandIn, addressee: Addressee
) -> None:
    message = _queue_letter(session, addressee)

    outcomes = _deliver(session, standin)

    assert outcomes == ["sent"]
    [accepted] = standin.accepted
    assert (accepted["type"], accepted["reference"], accepted["postage"]) == (
        "letter", str(message.id), "first",
    )  # fmt: skip
    assert "CF10 1AA" in text(standin.letters[accepted["id"]])
    session.expire_all()
    sent = session.get(Message, message.id)
    assert sent is not None
    assert (sent.status, sent.provider, sent.provider_reference) == (
        "sent", "notify", accepted["id"],
    )  # fmt: skip
    assert _deliver(session, standin) == []  # nothing left to send


def test_a_letter_to_someone_who_moved_is_void_and_never_posted(
    session: Session, standin: NotifyStandIn, addressee: Addressee
) -> None:
    message = _queue_letter(session, addressee)
    addressee.victim.postal_address = ["Priya Shah", "2 New Road", "Swansea", "SA1 1AA"]
    session.commit()

    outcomes = _deliver(session, standin)

    assert outcomes == ["void"]
    assert standin.accepted == []
    session.expire_all()
    void = session.get(Message, message.id)
    assert void is not None
    assert (void.status, void.void_reason) == ("void", "this person's postal address changed")
