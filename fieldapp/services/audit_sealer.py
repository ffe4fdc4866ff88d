"""The sealer: links committed audit records into the keyed chain, in order, after commit.

Order is (xid, seq) on PostgreSQL: only records of transactions older than the oldest one still
running (``pg_snapshot_xmin`` of the same statement's snapshot) are read, so a record committed
late by an earlier transaction is never skipped, and a rolled-back one leaves no row to wait
for. On SQLite, one writer at a time makes rowid order commit order (xid is 0). Any number of
sealers may run: each round takes ``pg_try_advisory_xact_lock`` or skips, and the chain's
primary and unique keys make a racing insert fail rather than fork.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, literal_column, select, text, tuple_
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnClause

from fieldapp.audit_keys import LedgerKeys
from fieldapp.config import ConfigurationError
from fieldapp.core.audit_chain import RECORD_FIELDS, Head, seal_records
from fieldapp.core.audit_checkpoints import Checkpoint, sign_checkpoint
from fieldapp.core.outage_waits import next_outage_wait
from fieldapp.models import AuditRecord, AuditSeal

log = logging.getLogger(__name__)

#: The advisory lock every sealer tries each round (any fixed 64-bit number; "audit" in ASCII).
SEALER_LOCK = 0x6175646974
BATCH = 500
# The oldest transaction id still running anywhere in the cluster: below it, nothing can appear.
HORIZON: ColumnClause[int] = literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
# The first transaction id not yet begun when the statement's snapshot was taken.
SNAPSHOT_END = text("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
RECORD_COLUMNS = tuple(getattr(AuditRecord, name) for name in RECORD_FIELDS)


class ChainEndMissing(RuntimeError):
    """The last seal's record is gone: the chain was tampered with; run ``audit verify``."""


def is_postgres(session: Session) -> bool:
    """Whether the session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def read_head(session: Session) -> Head:
    """The end of the chain as stored: size, last MAC and the last sealed record's place."""
    row = session.execute(
        select(AuditSeal.chain_index, AuditSeal.mac, AuditRecord.xid, AuditSeal.record_seq)
        .outerjoin(AuditRecord, AuditRecord.seq == AuditSeal.record_seq)
        .order_by(AuditSeal.chain_index.desc())
        .limit(1)
    ).first()
    if row is None:
        return Head()
    if row.xid is None:
        raise ChainEndMissing(f"sealed record {row.record_seq} is gone")
    return Head(row.chain_index, row.mac, (row.xid, row.record_seq))


def unsealed_after(position: tuple[int, int], *, postgres: bool) -> Select[Any]:
    """Committed records after ``position`` in chain order, below the horizon on PostgreSQL."""
    query = (
        select(*RECORD_COLUMNS)
        .where(tuple_(AuditRecord.xid, AuditRecord.seq) > tuple_(*position))
        .order_by(AuditRecord.xid, AuditRecord.seq)
    )
    return query.where(AuditRecord.xid < HORIZON) if postgres else query


def seal_round(session: Session, keys: LedgerKeys, *, now: datetime, batch: int = BATCH) -> int:
    """Seal up to ``batch`` committed records in one transaction; return how many.

    Returns 0 at once when another sealer holds the lock.
    """
    postgres = is_postgres(session)
    lock = text("SELECT pg_try_advisory_xact_lock(:key)")
    if postgres and not session.scalar(lock, {"key": SEALER_LOCK}):
        session.rollback()
        return 0
    head = read_head(session)
    records = session.execute(unsealed_after(head.position, postgres=postgres).limit(batch))
    seals = seal_records(
        [dict(row) for row in records.mappings()],
        head,
        origin=keys.origin,
        key_id=keys.key_id,
        key=keys.current_key,
    )
    if seals:
        rows = [{**vars(seal), "sealed_at": now} for seal in seals]
        session.execute(insert(AuditSeal).values(rows))
    session.commit()
    return len(seals)


def write_checkpoint(session: Session, keys: LedgerKeys, *, now: datetime) -> Checkpoint:
    """Sign the chain's current head and append it to the checkpoint file."""
    head = read_head(session)
    session.rollback()
    checkpoint = Checkpoint(keys.origin, head.size, head.mac, now)
    append_checkpoint(keys, checkpoint)
    return checkpoint


def append_checkpoint(keys: LedgerKeys, checkpoint: Checkpoint) -> None:
    """Append a signed checkpoint to the file outside the database, durably."""
    if keys.signing_key is None:
        raise ConfigurationError("Writing a checkpoint needs FIELDAPP_AUDIT_SIGNING_KEY.")
    note = sign_checkpoint(checkpoint, keys.signing_key) + "\n"
    keys.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(keys.checkpoint_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, note.encode())  # one write with O_APPEND: notes never interleave
        os.fsync(fd)
    finally:
        os.close(fd)


def seal_all(sessions: sessionmaker[Session], keys: LedgerKeys, *, now: datetime) -> int:
    """Seal rounds until one seals less than a full batch; how many were sealed."""
    total = 0
    while True:
        with sessions() as session:
            sealed = seal_round(session, keys, now=now)
        total += sealed
        if sealed < BATCH:
            return total


def seal_committed(
    sessions: sessionmaker[Session],
    keys: LedgerKeys,
    *,
    now: datetime,
    pause: Callable[[float], object],
    rounds: int = 600,
) -> int:
    """Seal everything committed before the call; how many were sealed.

    On PostgreSQL, first wait (``pause`` between up to ``rounds`` looks) until every
    transaction that had begun by then has ended, since any of them may still add records below.
    """
    total = 0
    with sessions() as session:
        target = session.scalar(SNAPSHOT_END) if is_postgres(session) else None
    for _ in range(rounds):
        with sessions() as session:
            reached = target is None or session.scalar(select(HORIZON)) >= target
        total += seal_all(sessions, keys, now=now)
        if reached:
            return total
        pause(0.05)
    raise TimeoutError("older transactions are still running: records below them wait")


def run_sealer(
    sessions: sessionmaker[Session],
    keys: LedgerKeys,
    settings: Mapping[str, Any],
    *,
    clock: Callable[[], datetime],
    stop: threading.Event,
) -> None:
    """Seal continuously and checkpoint at least every AUDIT_CHECKPOINT_SECONDS, until ``stop``.

    While the database does not answer (or a round loses a race), wait and try again, each
    wait twice the last (``core.outage_waits``), one log line each: it never exits for that.
    """
    interval = float(settings["AUDIT_SEAL_INTERVAL_SECONDS"])
    every = int(settings["AUDIT_CHECKPOINT_SECONDS"])
    last_checkpoint: datetime | None = None
    outage_wait = 0.0
    while not stop.is_set():
        try:
            seal_all(sessions, keys, now=clock())
            now = clock()
            if last_checkpoint is None or (now - last_checkpoint).total_seconds() >= every:
                with sessions() as session:
                    write_checkpoint(session, keys, now=now)
                last_checkpoint = now
        except (DBAPIError, PoolTimeout) as error:
            outage_wait = next_outage_wait(outage_wait, pace=interval)
            log.warning(
                "audit sealer waiting for the database",
                extra={"fields": {"error": type(error).__name__, "retry_in": outage_wait}},
            )
            stop.wait(outage_wait)
            continue
        outage_wait = 0.0
        stop.wait(interval)


def oldest_unsealed(session: Session) -> datetime | None:
    """When the oldest record still waiting for its seal was written (for lag alarms)."""
    return session.scalar(select(func.min(AuditRecord.occurred_at)).where(~AuditRecord.seal.has()))
