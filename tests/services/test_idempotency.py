"""Idempotency keys: claiming, the atomic takeover of an abandoned key, and owner tokens."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.database import get_database
from fieldapp.errors import Conflict
from fieldapp.models import IdempotencyRecord, User
from fieldapp.services import idempotency
from fieldapp.services.idempotency import ABANDONED_AFTER, Claimed, KeyTakenOver, Replay
from tests.factories import create_user

START = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
LATER = START + ABANDONED_AFTER + timedelta(seconds=1)
KEY = "retry-7"
PRINT = "f" * 64


@pytest.fixture
def user(app: Flask, session: Session) -> User:
    """The caller whose keys these are."""
    return create_user(app, session, username="pc.keys")


def _claim(session: Session, user: User, now: datetime) -> Claimed | Replay:
    return idempotency.claim(session, user_id=user.id, key=KEY, request_fingerprint=PRINT, now=now)


def _record(session: Session) -> IdempotencyRecord:
    session.expire_all()
    return session.scalars(select(IdempotencyRecord)).one()


def _complete(session: Session, user: User, owner: uuid.UUID) -> None:
    idempotency.complete(
        session,
        user_id=user.id,
        key=KEY,
        owner=owner,
        status=201,
        resource_type="case",
        resource_id="c-1",
    )


def test_a_key_still_in_progress_is_a_409_until_its_holder_is_presumed_dead(
    session: Session, user: User
) -> None:
    first = _claim(session, user, START)
    assert isinstance(first, Claimed)
    with pytest.raises(Conflict):
        _claim(session, user, START + ABANDONED_AFTER)
    taken = _claim(session, user, LATER)
    assert isinstance(taken, Claimed)
    assert taken.owner != first.owner
    stored = _record(session)
    assert (stored.owner, stored.created_at, stored.status) == (taken.owner, LATER, "in_progress")


def gate_takeovers(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Hold every takeover until all ``parties`` have read the abandoned key: the worst case."""
    real = idempotency._take_over
    gate = threading.Barrier(parties)

    def gated(session: Session, record_id: uuid.UUID, now: datetime) -> uuid.UUID | None:
        gate.wait(timeout=60)
        return real(session, record_id, now)

    monkeypatch.setattr(idempotency, "_take_over", gated)


@pytest.mark.parametrize("all_read_first", [False, True])
def test_of_eight_concurrent_retries_of_a_dead_holders_key_exactly_one_takes_it_over(
    app: Flask, session: Session, user: User, monkeypatch: pytest.MonkeyPatch, all_read_first: bool
) -> None:
    if all_read_first:
        gate_takeovers(monkeypatch, 8)
    dead = _claim(session, user, START)
    assert isinstance(dead, Claimed)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def retry() -> None:
        with get_database(app).sessions() as own:
            barrier.wait()
            try:
                result = _claim(own, user, LATER)
                outcome = "claimed" if isinstance(result, Claimed) else "replay"
            except Conflict:
                outcome = "409"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["409"] * 7 + ["claimed"]
    stored = _record(session)
    assert stored.owner != dead.owner and stored.created_at == LATER
    assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1


def test_a_holder_that_lost_its_key_cannot_record_over_the_new_owner(
    session: Session, user: User
) -> None:
    slow = _claim(session, user, START)
    retry = _claim(session, user, LATER)
    assert isinstance(slow, Claimed) and isinstance(retry, Claimed)

    with pytest.raises(KeyTakenOver):
        _complete(session, user, slow.owner)
    session.rollback()
    idempotency.release(session, user_id=user.id, key=KEY, owner=slow.owner)
    stored = _record(session)
    assert (stored.status, stored.owner, stored.resource_id) == ("in_progress", retry.owner, None)

    _complete(session, user, retry.owner)
    session.commit()
    stored = _record(session)
    assert (stored.status, stored.resource_type, stored.resource_id) == ("done", "case", "c-1")


def test_a_finished_key_replays_what_it_created_not_a_stored_body(
    session: Session, user: User
) -> None:
    first = _claim(session, user, START)
    assert isinstance(first, Claimed)
    _complete(session, user, first.owner)
    session.commit()

    replay = _claim(session, user, START + timedelta(days=1))

    assert replay == Replay(_record(session).id, 201, "case", "c-1")
    assert not hasattr(IdempotencyRecord, "response_body")
