"""Erasing a recipient blanks every message's copy of them and keeps the evidence trail."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.models import Message, OutboxItem
from fieldapp.services.messages import erasure
from tests.factories.messages import create_addressee, queue_messages

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def test_queued_messages_lose_the_address_and_text_and_leave_the_outbox(
    app: Flask, session: Session
) -> None:
    addressee = create_addressee(app, session)
    [queued] = queue_messages(session, addressee, inputs={"next_steps": "Call Alex at home"})
    [delivered] = queue_messages(session, addressee, provider="notify")
    before = session.get(Message, delivered)
    assert before is not None
    before.status, before.delivered_at = "delivered", NOW
    session.commit()
    kept = (before.template_version_id, before.merge_hash, before.delivered_at, before.status)

    redacted = erasure.redact_messages(session, victim_id=addressee.victim.id, now=NOW)
    session.commit()

    assert sorted(redacted) == sorted([str(queued), str(delivered)])
    session.expire_all()
    rows = {m.id: m for m in session.scalars(select(Message))}
    for row in rows.values():
        assert (row.recipient, row.subject, row.body, row.inputs) == ("", None, "", {})
        assert row.erased_at == NOW and row.erased
    assert (rows[queued].status, rows[queued].voided_at) == ("void", NOW)
    assert rows[queued].void_reason == erasure.ERASED_REASON
    evidence = rows[delivered]
    assert (
        evidence.template_version_id,
        evidence.merge_hash,
        evidence.delivered_at,
        evidence.status,
    ) == kept
    assert evidence.failure_reason is None
    assert session.scalars(select(OutboxItem)).all() == []


def test_other_recipients_messages_are_untouched(app: Flask, session: Session) -> None:
    erased, other = create_addressee(app, session), create_addressee(app, session)
    queue_messages(session, erased)
    [kept] = queue_messages(session, other)

    erasure.redact_messages(session, victim_id=erased.victim.id, now=NOW)
    session.commit()

    session.expire_all()
    untouched = session.get(Message, kept)
    assert untouched is not None
    assert (untouched.recipient, untouched.status, untouched.erased_at) == (
        other.victim.phone,
        "queued",
        None,
    )
    assert session.get(OutboxItem, kept) is not None
