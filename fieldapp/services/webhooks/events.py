"""Webhook events: written in the caller's transaction, fanned out to one delivery per subscriber.

An event is written by the change that causes it, before that change commits, so an event
exists exactly when its cause does (a rollback takes both away). Fan-out happens at once:
one pending delivery row per active subscription that lists the event type and whose owner
may see it. The delivery workers check both again before every attempt.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fieldapp.core.webhook_events import EVENT_TYPES, may_receive, rfc3339
from fieldapp.models import (
    Case,
    ContactDuty,
    Message,
    MessageTemplate,
    TemplateVersion,
    User,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from fieldapp.models.base import utcnow


def record_event(
    session: Session,
    event_type: str,
    *,
    data: Mapping[str, Any],
    team_id: uuid.UUID | None,
    now: datetime | None = None,
) -> uuid.UUID:
    """Write an event and its deliveries in the caller's transaction; the event's id."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    now = now or utcnow()
    event_id = uuid.uuid4()
    session.execute(
        insert(WebhookEvent).values(
            id=event_id, type=event_type, occurred_at=now, team_id=team_id, data=dict(data)
        )
    )
    fan_out(session, event_id, event_type, team_id=team_id, now=now)
    return event_id


def record_event_once(
    session: Session,
    event_type: str,
    *,
    dedupe_key: str,
    data: Mapping[str, Any],
    team_id: uuid.UUID | None,
    now: datetime,
) -> uuid.UUID | None:
    """Write an event unless one with ``dedupe_key`` exists (then None): safe from any number
    of workers at once, since the unique key makes the database pick exactly one writer."""
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    event_id = uuid.uuid4()
    statement = (
        dialect.insert(WebhookEvent)
        .values(
            id=event_id,
            type=event_type,
            occurred_at=now,
            team_id=team_id,
            data=dict(data),
            dedupe_key=dedupe_key,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(WebhookEvent.id)
    )
    if session.execute(statement).scalar_one_or_none() is None:
        return None
    fan_out(session, event_id, event_type, team_id=team_id, now=now)
    return event_id


def fan_out(
    session: Session,
    event_id: uuid.UUID,
    event_type: str,
    *,
    team_id: uuid.UUID | None,
    now: datetime,
) -> int:
    """One pending delivery per active subscriber that may see the event; how many."""
    rows = session.execute(
        select(WebhookSubscription.id, WebhookSubscription.events, User.role, User.team_id)
        .join(User, User.id == WebhookSubscription.created_by_id)
        .where(WebhookSubscription.status == "active", User.disabled.is_(False))
    ).all()
    deliveries = [
        {
            "id": uuid.uuid4(),
            "subscription_id": row.id,
            "event_id": event_id,
            "event_type": event_type,
            "status": "pending",
            "attempts": 0,
            "available_at": now,
            "created_at": now,
        }
        for row in rows
        if event_type in row.events
        and may_receive(
            role=row.role, team_id=row.team_id, event_type=event_type, event_team=team_id
        )
    ]
    if deliveries:
        session.execute(insert(WebhookDelivery), deliveries)
    return len(deliveries)


def duty_data(duty: ContactDuty, case: Case) -> dict[str, Any]:
    """What a duty event says: ids, the kind and the deadline."""
    return {
        "case_id": str(case.id),
        "crime_reference": case.crime_reference,
        "team_id": str(case.team_id),
        "duty_id": str(duty.id),
        "duty_kind": duty.kind,
        "due_at": rfc3339(duty.due_at),
        "victim_id": str(duty.victim_id),
    }


def message_outcome(session: Session, message: Message) -> uuid.UUID | None:
    """Record ``message.delivered`` or ``message.failed`` for a message just marked so."""
    event_type = {"delivered": "message.delivered", "failed": "message.failed"}.get(message.status)
    case = session.get(Case, message.case_id)
    if event_type is None or case is None:
        return None
    data = {
        "case_id": str(case.id),
        "crime_reference": case.crime_reference,
        "team_id": str(case.team_id),
        "message_id": str(message.id),
        "message_status": message.status,
        "channel": message.channel,
        "victim_id": str(message.victim_id),
        "duty_id": str(message.duty_id) if message.duty_id else None,
        "template_key": message.template_key,
        "template_version": message.template_version,
    }
    return record_event(session, event_type, data=data, team_id=case.team_id)


def template_submitted(
    session: Session, template: MessageTemplate, version: TemplateVersion
) -> None:
    """Record ``template.submitted`` for a version just sent for review."""
    data = {
        "template_key": template.key,
        "template_version": version.number,
        "channel": template.channel,
    }
    record_event(session, "template.submitted", data=data, team_id=None)
