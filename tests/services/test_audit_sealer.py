"""The sealer chains committed records in order, after commit, once, whatever the concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from fieldapp.core.audit_checkpoints import parse_notes
from fieldapp.database import get_database
from fieldapp.models import AuditRecord, AuditSeal
from fieldapp.services.audit_sealer import SEALER_LOCK, is_postgres, run_sealer, seal_round
from tests.conftest import BACKEND
from tests.factories.audit import append, ledger_keys, record_seqs, seal_everything, sealed_seqs
from tests.recorded_waits import RecordedWaits

NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
postgres_only = pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL concurrency")


def test_sealer_seals_committed_records_once_in_order(app: Flask, session: Session) -> None:
    append(session, "a", "b")
    append(session, "c")
    assert seal_everything(app) == 3
    assert sealed_seqs(session) == record_seqs(session, "a", "b", "c")
    assert seal_everything(app) == 0
    seals = session.scalars(select(AuditSeal).order_by(AuditSeal.chain_index)).all()
    assert [s.chain_index for s in seals] == [1, 2, 3]
    assert {s.key_id for s in seals} == {"dev-1"} and all(len(s.mac) == 64 for s in seals)


def test_a_rolled_back_append_leaves_nothing_to_wait_for(app: Flask, session: Session) -> None:
    append(session, "kept-1")
    append(session, "rolled-back", commit=False)  # takes a number (PostgreSQL), then is gone
    session.rollback()
    append(session, "kept-2")
    assert seal_everything(app) == 2
    assert sealed_seqs(session) == record_seqs(session, "kept-1", "kept-2")


@postgres_only
def test_a_record_committed_late_by_an_earlier_transaction_is_not_skipped(
    app: Flask, session: Session
) -> None:
    database = get_database(app)
    early, late = database.sessions(), database.sessions()
    try:
        append(early, "early", commit=False)  # lower seq and xid, still open
        append(late, "late")  # higher seq, committed first
        keys = ledger_keys(app)
        with database.sessions() as sealer:
            assert seal_round(sealer, keys, now=NOW) == 0  # "late" waits behind "early"
        early.commit()
    finally:
        early.close()
        late.close()
    seal_everything(app)
    assert sealed_seqs(session) == record_seqs(session, "early", "late")


@postgres_only
def test_a_second_sealer_skips_its_round_while_one_holds_the_lock(
    app: Flask, session: Session
) -> None:
    append(session, "a", "b")
    database, keys = get_database(app), ledger_keys(app)
    with database.engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEALER_LOCK})
        with database.sessions() as second:
            assert seal_round(second, keys, now=NOW) == 0
        assert sealed_seqs(session) == []
        holder.rollback()
    assert seal_everything(app) == 2
    assert sealed_seqs(session) == record_seqs(session, "a", "b")


def test_a_racing_sealer_fails_on_the_keys_instead_of_forking(app: Flask, session: Session) -> None:
    append(session, "a")
    seal_everything(app)
    seal = session.scalars(select(AuditSeal)).one()
    for clash in ({"chain_index": 1, "record_seq": seal.record_seq + 1}, {"chain_index": 2}):
        row = {"chain_index": 2, "record_seq": seal.record_seq, "key_id": "k", "mac": "0" * 64}
        with pytest.raises(IntegrityError):
            session.execute(insert(AuditSeal).values({**row, **clash, "sealed_at": NOW}))
        session.rollback()
    assert sealed_seqs(session) == [seal.record_seq]


@postgres_only
def test_appending_takes_no_lock_shared_by_all_requests(app: Flask, session: Session) -> None:
    database = get_database(app)
    first, second = database.sessions(), database.sessions()
    try:
        for open_transaction, name in ((first, "one"), (second, "two")):
            # Would fail (not hang) if the other open transaction held a lock append needs.
            open_transaction.execute(text("SET LOCAL lock_timeout = '2s'"))
            append(open_transaction, name, commit=False)
            open_transaction.flush()
        # Both INSERTs completed while both transactions are still open.
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()
    assert len(record_seqs(session, "one", "two")) == 2


def test_the_database_refuses_to_change_or_delete_audit_rows(app: Flask, session: Session) -> None:
    append(session, "a")
    seal_everything(app)
    statements = [
        "UPDATE audit_records SET actor_name = 'x'",
        "DELETE FROM audit_records",
        "UPDATE audit_seals SET mac = 'x'",
        "DELETE FROM audit_seals",
    ]
    if is_postgres(session):
        statements += ["TRUNCATE audit_seals", "TRUNCATE audit_records CASCADE"]
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert session.scalar(select(AuditRecord.actor_name)) == "system"
    assert len(sealed_seqs(session)) == 1


@postgres_only
def test_the_database_fixes_seq_xid_and_time_not_the_client(session: Session) -> None:
    session.execute(
        insert(AuditRecord).values(
            seq=1, xid=1, occurred_at=datetime(2000, 1, 1, tzinfo=UTC), actor_name="x",
            operation="consultation", resource_type="case", resource_id="forged",
            purpose="test", outcome="allowed",
        )
    )  # fmt: skip
    xid = session.scalar(text("SELECT pg_current_xact_id()::text::bigint"))
    session.commit()
    stored = session.scalars(select(AuditRecord).where(AuditRecord.resource_id == "forged")).one()
    assert stored.seq != 1 and stored.xid == xid and stored.occurred_at.year > 2000


RUNTIME_ROLE = "fieldapp_ledger_runtime_test"


@postgres_only
def test_a_runtime_role_with_the_documented_grants_appends_but_cannot_change(
    app: Flask, session: Session
) -> None:
    grants = [
        f"CREATE ROLE {RUNTIME_ROLE} NOLOGIN",
        f"GRANT USAGE ON SCHEMA public TO {RUNTIME_ROLE}",
        f"GRANT SELECT, INSERT ON audit_records, audit_seals TO {RUNTIME_ROLE}",
        f"GRANT USAGE ON SEQUENCE audit_records_seq_seq TO {RUNTIME_ROLE}",
    ]
    with get_database(app).engine.begin() as owner:
        owner.execute(
            text(f"DROP OWNED BY {RUNTIME_ROLE}") if _role_exists(owner) else text("SELECT 1")
        )
        owner.execute(text(f"DROP ROLE IF EXISTS {RUNTIME_ROLE}"))
        for statement in grants:
            owner.execute(text(statement))
    try:
        session.execute(text(f"SET LOCAL ROLE {RUNTIME_ROLE}"))
        append(session, "by-runtime-role")
        for statement in ("UPDATE audit_records SET actor_name = 'x'", "DELETE FROM audit_records"):
            session.execute(text(f"SET LOCAL ROLE {RUNTIME_ROLE}"))
            with pytest.raises(DBAPIError, match="permission denied"):
                session.execute(text(statement))
            session.rollback()
        assert record_seqs(session, "by-runtime-role")
    finally:
        session.rollback()
        with get_database(app).engine.begin() as owner:
            owner.execute(text(f"DROP OWNED BY {RUNTIME_ROLE}"))
            owner.execute(text(f"DROP ROLE {RUNTIME_ROLE}"))


def _role_exists(connection: object) -> bool:
    return bool(
        connection.execute(  # type: ignore[attr-defined]
            text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": RUNTIME_ROLE}
        ).scalar()
    )


def test_the_sealer_checkpoints_even_when_idle(app: Flask) -> None:
    stop, keys = threading.Event(), ledger_keys(app)

    def clock() -> datetime:
        stop.set()  # one round only
        return NOW

    run_sealer(get_database(app).sessions, keys, app.config, clock=clock, stop=stop)
    written = parse_notes(Path(keys.checkpoint_path).read_text(), keys.verify_key)
    assert [(c.origin, c.size, c.time) for c in written] == [(keys.origin, 0, NOW)]


def test_the_sealer_waits_out_a_database_outage_with_backoff_then_goes_on(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """The sealer used to retry at its own pace, logging each round; now it backs off."""
    from sqlalchemy.exc import OperationalError

    real, outage = get_database(app).sessions, iter(range(3))
    stop, keys = RecordedWaits(), ledger_keys(app)

    def sessions() -> Session:
        if next(outage, None) is not None:  # the first three rounds find no database
            raise OperationalError("connect", {}, Exception("connection refused"))
        return real()

    def clock() -> datetime:
        if len(stop.waits) >= 3:
            stop.set()  # the round after the outage is the last
        return NOW

    with caplog.at_level("WARNING", logger="fieldapp.services.audit_sealer"):
        run_sealer(
            sessions, keys, {**app.config, "AUDIT_SEAL_INTERVAL_SECONDS": 1}, clock=clock, stop=stop
        )  # type: ignore[arg-type]

    assert stop.waits == [1.0, 2.0, 4.0, 1.0]
    assert [r.getMessage() for r in caplog.records] == ["audit sealer waiting for the database"] * 3
    # The round after the outage reached the database: it read the chain and signed its head
    # (whether a record is sealed in that one round depends on other transactions' horizon).
    written = parse_notes(Path(keys.checkpoint_path).read_text(), keys.verify_key)
    assert [(c.origin, c.time) for c in written] == [(keys.origin, NOW)]
