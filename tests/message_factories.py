"""Plain factories for queued messages, built with the ORM as the send endpoint leaves them."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import Case, ContactDuty, Message, OutboxItem, TemplateVersion, Victim
from fieldapp.models.base import utcnow
from fieldapp.services.template_library import import_library
from tests.factories import create_user

_numbers = itertools.count(1)
BODY = "Hello Alex. Someone has been arrested. Call PC Sam Ashworth on 101."


@dataclass(frozen=True)
class Addressee:
    """A case with one victim, its officer and a published template version to write from."""

    case: Case
    victim: Victim
    version: TemplateVersion


def create_addressee(app: Flask, session: Session) -> Addressee:
    """An officer's case with one victim who takes SMS and email, and the library imported."""
    officer = create_user(app, session)
    if session.scalar(select(TemplateVersion.id).limit(1)) is None:
        import_library(session, load_library(LIBRARY_DIRECTORY))
    version = session.scalars(select(TemplateVersion).order_by(TemplateVersion.id)).first()
    assert version is not None
    number = next(_numbers)
    case = Case(
        crime_reference=f"DEL/{number:05d}/26",
        offence="Burglary",
        team_id=officer.team_id,
        officer_in_charge_id=officer.id,
    )
    session.add(case)
    session.flush()
    victim = Victim(
        case_id=case.id,
        first_name="Alex",
        last_name="Morgan",
        recipient_role="victim",
        phone="+447700900123",
        email="alex@example.com",
        preferred_channel="sms",
        safe_channels=["sms", "email"],
    )
    session.add(victim)
    session.commit()
    return Addressee(case=case, victim=victim, version=version)


def create_duty(session: Session, addressee: Addressee, *, due_in: timedelta) -> ContactDuty:
    """An open duty for the addressee's victim, due ``due_in`` from now."""
    duty = ContactDuty(
        case_id=addressee.case.id,
        victim_id=addressee.victim.id,
        kind="arrest_update",
        title="Tell the victim about the arrest",
        due_at=utcnow() + due_in,
        ruleset_version="test",
        status="open",
    )
    session.add(duty)
    session.commit()
    return duty


def queue_messages(
    session: Session, addressee: Addressee, *, count: int = 1, **overrides: Any
) -> list[uuid.UUID]:
    """``count`` queued messages, each with its outbox row, committed together."""
    now = utcnow()
    ids = []
    for _ in range(count):
        message = Message(
            id=uuid.uuid4(),
            case_id=addressee.case.id,
            victim_id=addressee.victim.id,
            template_version_id=addressee.version.id,
            template_key="arrest",
            template_version=addressee.version.number,
            channel="sms",
            language="en",
            recipient=addressee.victim.phone,
            body=BODY,
            merge_hash="0" * 64,
            ruleset_version="test",
            status="queued",
            created_by_id=addressee.case.officer_in_charge_id,
            queued_at=now,
            **overrides,
        )
        session.add(message)
        session.add(OutboxItem(message_id=message.id, available_at=now))
        ids.append(message.id)
    session.commit()
    return ids
