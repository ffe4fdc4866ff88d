"""Plain factories for message templates moving through review, each step committed."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from fieldapp.models import User
from fieldapp.services.audit import AuditContext
from fieldapp.services.templates import reviews, versions
from fieldapp.services.users import principal_of

_counter = itertools.count(1)
BODY = (
    "Dear {{ victim.first_name }}, we have arrested someone for crime "
    "{{ case.crime_reference }}.\nCall {{ officer.name }} on {{ officer.contact_phone }}."
)


def acting(user: User) -> AuditContext:
    """``user`` as the acting caller of a service."""
    return AuditContext(principal_of(user), "test")


def create_template(session: Session, author: User, **overrides: Any) -> str:
    """A template whose version 1 is a draft by ``author``; its key."""
    number = next(_counter)
    data: dict[str, Any] = {
        "key": f"arrested-sms-en-{number}",
        "family": f"arrested-{number}",
        "channel": "sms",
        "language": "en",
        "event_type": "arrested",
        "name": f"Suspect arrested {number}",
        "body": BODY,
        "change_note": "First version.",
        **overrides,
    }
    versions.create_template(session, acting(author), data=data)
    session.commit()
    return str(data["key"])


def save_draft(session: Session, author: User, key: str, body: str, note: str = "") -> int:
    """A new draft of ``key`` by ``author``; its number."""
    saved = versions.save_version(
        session, acting(author), key=key, data={"body": body, "change_note": note}
    )
    session.commit()
    return saved.version.number


def submit(session: Session, author: User, key: str, number: int) -> None:
    """Send a draft for review."""
    reviews.submit_version(session, acting(author), key=key, number=number)


def approve(session: Session, reviewer: User, key: str, number: int) -> None:
    """Publish a submitted version."""
    reviews.approve_version(session, acting(reviewer), key=key, number=number)


def publish(session: Session, author: User, reviewer: User, key: str, number: int) -> None:
    """Submit a draft and have ``reviewer`` approve it."""
    submit(session, author, key, number)
    approve(session, reviewer, key, number)
