"""Delivery workers: claims, retries, failures, reclaims, and exactly-once under concurrency."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.database import get_database
from fieldapp.models import AuditRecord, ContactDuty, Message, OutboxItem, TemplateVersion
from fieldapp.models.base import utcnow
from fieldapp.services.messages.delivery import (
    DeliverySettings,
    claim,
    deliver_one,
    run_worker,
)
from fieldapp.services.messages.providers import reference_of
from fieldapp.services.messages.providers.notify import NotifyProvider, notify_from_config
from tests.factories.messages import (
    Addressee,
    add_version,
    create_addressee,
    create_duty,
    queue_messages,
)
from tests.notify_standin import NotifyStandIn, notify_config
from tests.recorded_waits import RecordedWaits

SETTINGS = DeliverySettings(lease=timedelta(seconds=60), max_attempts=3)
LEASE = SETTINGS.lease


@pytest.fixture
def addressee(app: Flask, session: Session) -> Addressee:
    """A case and victim to write to."""
    return create_addressee(app, session)


def claim_and_deliver(
    session: Session, provider: NotifyProvider, *, worker: str = "w1", now: datetime
) -> list[str]:
    """One claim at ``now`` and the delivery of what it took."""
    ids = claim(session, worker=worker, batch=10, lease=LEASE, now=now)
    return [
        deliver_one(session, provider, i, worker=worker, settings=SETTINGS, now=now) for i in ids
    ]


def outbox_row(session: Session, message_id: uuid.UUID) -> OutboxItem | None:
    """The message's outbox row as stored now."""
    session.expire_all()
    return session.get(OutboxItem, message_id)


def test_a_delivered_message_is_sent_meets_its_duty_is_audited_and_leaves_the_outbox(
    session: Session, provider: NotifyProvider, standin: NotifyStandIn, addressee: Addressee
) -> None:
    duty = create_duty(session, addressee, due_in=timedelta(days=1))
    [message_id] = queue_messages(session, addressee, duty_id=duty.id)

    outcomes = claim_and_deliver(session, provider, now=utcnow())

    assert outcomes == ["sent"]
    session.expire_all()
    message = session.get(Message, message_id)
    assert message is not None
    assert (message.status, message.provider) == ("sent", "notify")
    assert message.provider_reference == standin.accepted[0]["id"]
    assert session.get(ContactDuty, duty.id).status == "met"  # type: ignore[union-attr]
    disclosures = session.scalars(
        select(AuditRecord).where(
            AuditRecord.operation == "disclosure", AuditRecord.resource_id == str(message_id)
        )
    ).all()
    assert [d.actor_id for d in disclosures] == [addressee.case.officer_in_charge_id]
    assert outbox_row(session, message_id) is None


def test_temporary_failures_back_off_then_end_failed_after_the_last_attempt(
    session: Session, provider: NotifyProvider, standin: NotifyStandIn, addressee: Addressee
) -> None:
    [message_id] = queue_messages(session, addressee)
    standin.fail_next(SETTINGS.max_attempts, 500)
    now, delays = utcnow(), []

    for _ in range(SETTINGS.max_attempts - 1):
        assert claim_and_deliver(session, provider, now=now) == ["retry"]
        row = outbox_row(session, message_id)
        assert row is not None and row.lease_until is None and "500" in (row.last_error or "")
        assert claim(session, worker="eager", batch=10, lease=LEASE, now=now) == []  # not yet
        delays.append(row.available_at - now)
        now = row.available_at
    assert claim_and_deliver(session, provider, now=now) == ["failed"]

    assert delays[1] > delays[0] >= SETTINGS.backoff_base / 2
    message = session.get(Message, message_id)
    assert message is not None and message.status == "failed"
    assert f"gave up after {SETTINGS.max_attempts} attempts" in (message.failure_reason or "")
    assert outbox_row(session, message_id) is None
    assert standin.accepted == []


def test_a_refused_message_fails_at_once_with_a_reason_an_officer_can_act_on(
    session: Session, provider: NotifyProvider, standin: NotifyStandIn, addressee: Addressee
) -> None:
    [message_id] = queue_messages(session, addressee)
    standin.fail_next(1, 400)

    assert claim_and_deliver(session, provider, now=utcnow()) == ["failed"]

    session.expire_all()
    message = session.get(Message, message_id)
    assert message is not None and message.status == "failed"
    assert "phone number was not accepted" in (message.failure_reason or "")
    assert outbox_row(session, message_id) is None


def test_a_reclaimed_message_the_provider_already_has_is_not_sent_again(
    session: Session, provider: NotifyProvider, standin: NotifyStandIn, addressee: Addressee
) -> None:
    [message_id] = queue_messages(session, addressee)
    now = utcnow()
    # A worker claims and sends, then dies before it can record the send.
    assert claim(session, worker="dead", batch=10, lease=LEASE, now=now) == [message_id]
    message = session.get(Message, message_id)
    assert message is not None
    provider.send(message)

    outcomes = claim_and_deliver(session, provider, worker="heir", now=now + LEASE * 2)

    assert outcomes == ["found"]
    assert standin.sends_by_reference() == Counter({reference_of(message): 1})
    session.expire_all()
    assert session.get(Message, message_id).status == "sent"  # type: ignore[union-attr]
    assert outbox_row(session, message_id) is None


def test_a_worker_whose_lease_ran_out_neither_sends_nor_records(
    session: Session, provider: NotifyProvider, standin: NotifyStandIn, addressee: Addressee
) -> None:
    [message_id] = queue_messages(session, addressee)
    now = utcnow()
    claim(session, worker="slow", batch=10, lease=LEASE, now=now)
    claim(session, worker="heir", batch=10, lease=LEASE, now=now + LEASE * 2)

    outcome = deliver_one(
        session, provider, message_id, worker="slow", settings=SETTINGS, now=now + LEASE * 2
    )

    assert outcome == "skipped"
    assert standin.accepted == []
    row = outbox_row(session, message_id)
    assert row is not None and row.claimed_by == "heir"


def test_claims_take_the_oldest_due_rows_and_skip_leased_ones(
    session: Session, addressee: Addressee
) -> None:
    ids = queue_messages(session, addressee, count=3)
    now = utcnow()
    for offset, message_id in enumerate(ids):
        row = session.get(OutboxItem, message_id)
        assert row is not None
        row.available_at = now - timedelta(minutes=10 - offset)
    session.commit()

    first = claim(session, worker="a", batch=2, lease=LEASE, now=now)
    second = claim(session, worker="b", batch=2, lease=LEASE, now=now)
    third = claim(session, worker="c", batch=2, lease=LEASE, now=now)

    assert (sorted(first), second, third) == (sorted(ids[:2]), ids[2:], [])


def test_a_stopping_worker_finishes_its_message_and_hands_back_the_rest(
    app: Flask, session: Session, standin: NotifyStandIn, addressee: Addressee
) -> None:
    ids = queue_messages(session, addressee, count=5)
    stop = threading.Event()
    provider = notify_from_config(notify_config(standin))
    send = provider.send

    def send_then_ask_to_stop(message: Message) -> object:
        stop.set()  # as SIGTERM would, in the middle of the first send
        return send(message)

    provider.send = send_then_ask_to_stop  # type: ignore[method-assign,assignment]

    tally = run_worker(
        get_database(app).sessions, provider, worker="w", settings=SETTINGS, stop=stop
    )

    assert tally == Counter({"sent": 1})
    assert len(standin.accepted) == 1
    rest = session.scalars(select(OutboxItem)).all()
    assert len(rest) == len(ids) - 1
    assert {(r.lease_until, r.claimed_by, r.attempts) for r in rest} == {(None, None, 0)}


WORKERS = 4
# On PostgreSQL workers skip each other's rows (SKIP LOCKED); SQLite serialises their claims.
QUEUED = 1000
#: A hang guard only: the barrier opens as soon as every worker has claimed and begun a send.
HANG_GUARD_SECONDS = 60


def test_four_workers_send_each_queued_message_exactly_once(
    app: Flask, session: Session, standin: NotifyStandIn, addressee: Addressee
) -> None:
    ids = queue_messages(session, addressee, count=QUEUED)
    tallies: list[Counter[str]] = []
    # Every worker's first send waits for all the others' to begin, so each holds a claim at once.
    all_sending = threading.Barrier(WORKERS, timeout=HANG_GUARD_SECONDS)

    def work(name: str) -> None:
        provider = notify_from_config(notify_config(standin))  # the client is not thread-safe
        send = provider.send

        def send_once_all_are_sending(message: Message) -> object:
            if not begun:
                all_sending.wait()
            begun.append(message.id)
            return send(message)

        begun: list[uuid.UUID] = []
        provider.send = send_once_all_are_sending  # type: ignore[method-assign,assignment]
        sessions = get_database(app).sessions
        tallies.append(run_worker(sessions, provider, worker=name, settings=SETTINGS, once=True))

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG_GUARD_SECONDS * 2)

    sends = standin.sends_by_reference()
    assert sorted(sends) == sorted(str(i) for i in ids)
    assert set(sends.values()) == {1}
    assert sum(tallies, Counter()) == Counter({"sent": QUEUED})
    assert len(tallies) == WORKERS
    assert all(t["sent"] for t in tallies), "the work was not shared"
    assert session.scalar(select(func.count()).select_from(OutboxItem)) == 0
    statuses = session.scalars(select(Message.status).distinct()).all()
    assert statuses == ["sent"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"safe_channels": ["email"]}, "'sms' is no longer a safe channel for this person"),
        ({"contentless": True}, "this person now needs contentless messages"),
        ({"language": "cy"}, "this person's language is now 'cy'"),
        ({"phone": None, "deleted_at": utcnow()}, "the recipient was erased"),
    ],
)
def test_a_worker_voids_a_queued_message_whose_recipient_changed_and_notify_never_hears(
    session: Session,
    provider: NotifyProvider,
    standin: NotifyStandIn,
    addressee: Addressee,
    change: dict[str, object],
    reason: str,
) -> None:
    duty = create_duty(session, addressee, due_in=timedelta(days=1))
    [message_id] = queue_messages(session, addressee, duty_id=duty.id)
    for name, value in change.items():
        setattr(addressee.victim, name, value)
    session.commit()

    outcomes = claim_and_deliver(session, provider, now=utcnow())

    assert outcomes == ["void"]
    assert standin.requests == Counter() and standin.accepted == []
    session.expire_all()
    message = session.get(Message, message_id)
    assert message is not None
    assert (message.status, message.void_reason, message.sent_at) == ("void", reason, None)
    assert outbox_row(session, message_id) is None
    assert session.get(ContactDuty, duty.id).status == "open"  # type: ignore[union-attr]
    denied = session.scalars(select(AuditRecord).where(AuditRecord.outcome == "denied")).one()
    assert (denied.operation, denied.resource_id) == ("disclosure", str(message_id))
    assert denied.reason == f"recipient_changed: {reason}"


def test_a_worker_never_sends_a_message_from_an_unreviewed_version(
    session: Session, provider: NotifyProvider, standin: NotifyStandIn, addressee: Addressee
) -> None:
    number = add_version(session, "arrested-sms-en", status="rejected")
    draft = session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.template_id == addressee.version.template_id,
            TemplateVersion.number == number,
        )
    ).one()
    [message_id] = queue_messages(
        session, addressee, template_version_id=draft.id, template_version=number
    )

    assert claim_and_deliver(session, provider, now=utcnow()) == ["void"]

    assert standin.requests == Counter()
    session.expire_all()
    message = session.get(Message, message_id)
    assert message is not None and message.status == "failed"
    assert "never approved" in (message.failure_reason or "")
    denied = session.scalars(select(AuditRecord).where(AuditRecord.outcome == "denied")).one()
    assert denied.reason == "version_not_published: version not reviewed"


def test_a_worker_waits_out_a_database_outage_with_backoff_and_then_delivers(
    app: Flask, session: Session, addressee: Addressee, standin: NotifyStandIn
) -> None:
    """`messages deliver` used to exit during an outage; now it waits, doubling, and goes on."""
    from sqlalchemy.exc import OperationalError

    [message_id] = queue_messages(session, addressee)
    provider = notify_from_config(notify_config(standin))
    real = get_database(app).sessions
    outage = iter(range(4))

    def sessions() -> Session:
        if next(outage, None) is not None:  # the first four tries find no database
            raise OperationalError("connect", {}, Exception("connection refused"))
        return real()

    stop = RecordedWaits()
    tally = run_worker(sessions, provider, worker="w", settings=SETTINGS, once=True, stop=stop)

    assert tally == Counter({"database_unavailable": 4, "sent": 1})
    assert stop.waits == [1.0, 2.0, 4.0, 8.0]
    assert len(standin.accepted) == 1
    assert outbox_row(session, message_id) is None
