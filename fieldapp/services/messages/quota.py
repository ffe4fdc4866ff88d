"""The per-officer send quota, counted in the database so that it is exact on any number of
app instances, with or without Redis.

An officer's sends are the messages they queued for Notify and the manual sends they confirmed,
in the trailing windows of ``FIELDAPP_MESSAGE_QUOTA`` (e.g. ``30/hour;100/day``). The count and
the send happen in one transaction, under a lock on the officer's own user row (``FOR NO KEY
UPDATE`` on PostgreSQL; SQLite's single writer lock), so concurrent sends by one officer are
serialised and counted one after another, while other officers are not held up.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from limits import parse_many
from sqlalchemy import select, union_all, update
from sqlalchemy.orm import Session

from fieldapp.errors import RateLimited
from fieldapp.models import Message, User
from fieldapp.services.principal_changes import declared

Rule = tuple[int, timedelta]


def quota_rules(quota: str) -> list[Rule]:
    """The (count, window) pairs of a quota such as ``30/hour;100/day``."""
    return [(item.amount, timedelta(seconds=item.get_expiry())) for item in parse_many(quota)]


def wait_before_next(times: Sequence[datetime], rules: Sequence[Rule], now: datetime) -> float:
    """Seconds until one more send fits every window (0 when it fits now)."""
    wait = 0.0
    for limit, window in rules:
        recent = sorted(t for t in times if t > now - window)
        if len(recent) >= limit:  # the oldest send that must leave the window first
            frees_at = recent[len(recent) - limit] + window
            wait = max(wait, (frees_at - now).total_seconds())
    return wait


def _lock_sender(session: Session, user_id: uuid.UUID) -> None:
    """Serialise this officer's sends until the transaction ends (nobody else's)."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: a no-op write takes the database's writer lock now, so the
        # count below reads after every earlier send has committed.
        session.execute(
            update(User).where(User.id == user_id).values(id=User.id),
            # A no-op write: it changes no principal (else every send would empty the cache).
            execution_options={"synchronize_session": False, **declared()},
        )
    else:
        # NO KEY UPDATE: rows that merely reference the user (audit records) are not blocked.
        session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


def _send_times(session: Session, user_id: uuid.UUID, since: datetime) -> list[datetime]:
    """When this officer queued or confirmed messages after ``since``."""
    queued = select(Message.queued_at.label("at")).where(
        Message.queued_by_id == user_id, Message.queued_at > since
    )
    confirmed = select(Message.confirmed_at.label("at")).where(
        Message.sent_by_id == user_id, Message.confirmed_at > since
    )
    return [
        at for at in session.scalars(select(union_all(queued, confirmed).subquery().c.at)) if at
    ]


def take_send_slot(session: Session, user_id: uuid.UUID, *, quota: str, now: datetime) -> None:
    """Count one send against the officer's quota in this transaction; 429 if it is spent."""
    rules = quota_rules(quota)
    if not rules:
        return
    _lock_sender(session, user_id)
    since = now - max(window for _, window in rules)
    wait = wait_before_next(_send_times(session, user_id, since), rules, now)
    if wait > 0:
        raise RateLimited(
            f"You may send {quota.replace(';', ' and ')}. Wait and try again.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
