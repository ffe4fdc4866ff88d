"""Plain factories for messages: queued ones built with the ORM as the send endpoint leaves them,
the writes the message tests make through the API, API keys and template versions."""

from __future__ import annotations

import hashlib
import itertools
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import LIBRARY_DIRECTORY, load_library
from fieldapp.models import (
    Case,
    ContactDuty,
    Message,
    MessageTemplate,
    OutboxItem,
    TemplateVersion,
    User,
    Victim,
)
from fieldapp.models.base import utcnow
from fieldapp.services import api_keys
from fieldapp.services.audit import AuditContext
from fieldapp.services.templates.library import import_library
from fieldapp.services.users import principal_of
from tests.factories.users import auth, create_user

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
    # The English SMS arrest update: what ``queue_messages`` says its messages were written from.
    version = session.scalars(
        select(TemplateVersion)
        .join(MessageTemplate, MessageTemplate.id == TemplateVersion.template_id)
        .where(MessageTemplate.key == "arrested-sms-en", TemplateVersion.status == "published")
    ).one()
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
        fields: dict[str, Any] = {
            "id": uuid.uuid4(),
            "case_id": addressee.case.id,
            "victim_id": addressee.victim.id,
            "template_version_id": addressee.version.id,
            "template_key": "arrested-sms-en",
            "template_version": addressee.version.number,
            "channel": "sms",
            "language": "en",
            "recipient": addressee.victim.phone,
            "body": BODY,
            "merge_hash": "0" * 64,
            "ruleset_version": "test",
            "status": "queued",
            "created_by_id": addressee.case.officer_in_charge_id,
            "queued_at": now,
        }
        message = Message(**{**fields, **overrides})
        session.add(message)
        session.add(OutboxItem(message_id=message.id, available_at=now))
        ids.append(message.id)
    session.commit()
    return ids


def write_message(
    client: FlaskClient, credential: str, case_id: str, headers: Any = None, **body: Any
) -> Any:
    """POST a message write; the response."""
    return client.post(
        f"/api/v1/cases/{case_id}/messages",
        json=body,
        headers={**auth(credential), **(headers or {})},
    )


def issue_key(session: Session, user: User, scopes: list[str]) -> str:
    """An API key acting for ``user`` with ``scopes``; the secret an integration presents."""
    context = AuditContext(actor=principal_of(user), purpose="test")
    data = {
        "name": "Integration",
        "user_id": user.id,
        "scopes": scopes,
        "rate_limit": "1000/minute",
    }
    issued = api_keys.create_key(session, context=context, data=data, now=utcnow())
    session.commit()
    return issued.key


def add_version(session: Session, key: str, *, status: str, suffix: str = " NEW WORDING") -> int:
    """A new version of template ``key`` in ``status``, its text the published one's plus
    ``suffix``, as if saved and reviewed (publishing it supersedes the old one); its number."""
    template = session.scalars(select(MessageTemplate).where(MessageTemplate.key == key)).one()
    current = session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.template_id == template.id,
            TemplateVersion.number == template.published_number,
        )
    ).one()
    if status == "published":
        current.status, current.superseded_at = "superseded", utcnow()
        session.flush()
    text = current.body + suffix
    template.latest_number += 1
    session.add(
        TemplateVersion(
            template_id=template.id, number=template.latest_number, status=status,
            subject=current.subject, body=text, fields=current.fields,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
        )
    )  # fmt: skip
    if status == "published":
        template.published_number = template.latest_number
    session.commit()
    return template.latest_number
