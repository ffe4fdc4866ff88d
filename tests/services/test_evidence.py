"""Duty evidence: coverage adds up across messages and contacts; the completing one meets it."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session

from fieldapp.models.base import utcnow
from fieldapp.services import evidence
from tests.factories.messages import create_addressee, create_duty


def _told(
    kind: str, *items: str, late: bool = False, method: str | None = None
) -> evidence.Evidence:
    """Evidence given now (or in a week, after the test duty's deadline)."""
    at = utcnow() + (timedelta(days=7) if late else timedelta(0))
    return evidence.Evidence(
        type=kind, id=uuid.uuid4(), at=at, items=items, by_id=None, method=method
    )


def test_a_duty_recorded_before_items_existed_is_met_by_any_evidence(
    app: Flask, session: Session
) -> None:
    duty = create_duty(session, create_addressee(app, session), due_in=timedelta(days=1))
    assert duty.required_items is None
    told = _told(evidence.MESSAGE)
    assert evidence.add_evidence(session, duty, told, now=utcnow()) is True
    assert (duty.status, duty.message_id, duty.reason) == (
        "met",
        told.id,
        "Met on time by a message.",
    )
    assert evidence.met_by(duty) == {"type": "message", "id": told.id}


def test_coverage_adds_up_and_the_completing_evidence_meets_the_duty(
    app: Flask, session: Session
) -> None:
    duty = create_duty(session, create_addressee(app, session), due_in=timedelta(days=1))
    duty.required_items = ["charges", "court", "first_hearing"]
    first = _told(evidence.MESSAGE, "court", "unrelated")
    assert evidence.add_evidence(session, duty, first, now=utcnow()) is False
    assert (duty.status, duty.covered_items) == ("open", ["court"])
    assert evidence.outstanding(duty) == ("charges", "first_hearing")
    last = _told(evidence.CONTACT, "first_hearing", "charges", late=True, method="phone")
    assert evidence.add_evidence(session, duty, last, now=utcnow()) is True
    assert duty.covered_items == ["charges", "court", "first_hearing"]
    assert (duty.status, duty.contact_id, duty.message_id) == ("met", last.id, None)
    assert duty.reason == "Met late by a phone call with what was given before."
    assert duty.closed_at == last.at


def test_evidence_for_a_closed_duty_changes_nothing(app: Flask, session: Session) -> None:
    duty = create_duty(session, create_addressee(app, session), due_in=timedelta(days=1))
    duty.status, duty.required_items = "not_required", ["court"]
    assert (
        evidence.add_evidence(session, duty, _told(evidence.MESSAGE, "court"), now=utcnow())
        is False
    )
    assert (duty.status, duty.covered_items, evidence.met_by(duty)) == ("not_required", None, None)


def test_items_are_split_into_required_and_unknown(app: Flask, session: Session) -> None:
    duty = create_duty(session, create_addressee(app, session), due_in=timedelta(days=1))
    duty.required_items = ["court", "charges"]
    assert evidence.known_items(duty, ["charges", "x", "charges", "y"]) == (["charges"], ["x", "y"])
