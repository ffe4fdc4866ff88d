"""``audit verify``: the chain against its keys and the signed checkpoints kept outside the DB.

Checks, in order: every checkpoint's signature (public key only); every seal from genesis
(missing index or record gone: deletion; (xid, seq) not rising: reorder; MAC mismatch: edit or
re-seal without the key); the chain against every checkpoint (shorter: truncation; another MAC
at a checkpointed size: re-seal or fork, even by someone holding the HMAC key). Unsealed
records are counted apart: pending (recent) or stale (older than the sealing deadline, or
behind the sealer's cursor, i.e. skipped). A verified head is signed into a new checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select, tuple_
from sqlalchemy.orm import Session

from fieldapp.audit_keys import LedgerKeys
from fieldapp.core.audit_chain import Break, Seal, walk_chain
from fieldapp.core.audit_checkpoints import (
    SIGNATURE,
    Checkpoint,
    CheckpointError,
    check_against,
    parse_notes,
    sizes_of,
)
from fieldapp.models import AuditRecord, AuditSeal
from fieldapp.services.audit_sealer import RECORD_COLUMNS, append_checkpoint

#: A checkpoint older than this means checkpointing stopped or was suppressed.
CHECKPOINT_MAX_AGE = timedelta(minutes=2)


@dataclass
class Verdict:
    """What verify found: sealed and verified, the first break, unsealed counts, checkpoints."""

    verified: int
    broken: Break | None
    pending: int
    stale: int
    checkpoints: int
    newest_checkpoint: datetime | None
    written: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        """Whether the trail is intact and nothing waits for a seal beyond the deadline."""
        return self.broken is None and self.stale == 0


def read_checkpoints(keys: LedgerKeys) -> list[Checkpoint]:
    """Every checkpoint in the file, signatures checked (none if there is no file yet)."""
    if not keys.checkpoint_path.exists():
        return []
    return parse_notes(keys.checkpoint_path.read_text(encoding="utf-8"), keys.verify_key)


def verify_ledger(session: Session, keys: LedgerKeys, *, now: datetime, deadline: int) -> Verdict:
    """Verify the whole chain and the checkpoints; sign a checkpoint of the head when it holds."""
    try:
        checkpoints = read_checkpoints(keys)
    except CheckpointError as exc:
        return Verdict(0, Break(0, SIGNATURE, str(exc)), 0, 0, 0, None)
    walk = walk_chain(
        _links(session), origin=keys.origin, keys=keys.hmac_keys, remember=sizes_of(checkpoints)
    )
    broken = walk.broken or check_against(
        checkpoints, origin=keys.origin, size=walk.head.size, macs_at=walk.macs_at
    )
    pending, stale = _unsealed(
        session, walk.head.position, older_than=now - timedelta(seconds=deadline)
    )
    session.rollback()
    verdict = Verdict(
        verified=walk.head.size,
        broken=broken,
        pending=pending,
        stale=stale,
        checkpoints=len(checkpoints),
        newest_checkpoint=max((c.time for c in checkpoints), default=None),
    )
    if broken is None and keys.signing_key is not None:
        verdict.written = Checkpoint(keys.origin, walk.head.size, walk.head.mac, now)
        append_checkpoint(keys, verdict.written)
    return verdict


def checkpoint_is_late(verdict: Verdict, now: datetime) -> bool:
    """Whether the newest checkpoint before this verify was missing or too old."""
    newest = verdict.newest_checkpoint
    return newest is None or now - newest > CHECKPOINT_MAX_AGE


def _links(session: Session, batch: int = 1000) -> Iterator[tuple[Seal, Mapping[str, Any] | None]]:
    """Every seal in chain order with its record (None when the record is gone), in batches."""
    after = 0
    while True:
        rows = session.execute(
            select(AuditSeal.chain_index, AuditSeal.record_seq, AuditSeal.key_id, AuditSeal.mac)
            .add_columns(*RECORD_COLUMNS)
            .outerjoin(AuditRecord, AuditRecord.seq == AuditSeal.record_seq)
            .where(AuditSeal.chain_index > after)
            .order_by(AuditSeal.chain_index)
            .limit(batch)
        ).all()
        for row in rows:
            seal = Seal(row.chain_index, row.record_seq, row.key_id, row.mac)
            record = dict(row._mapping) if row.seq is not None else None
            yield seal, record
        if len(rows) < batch:
            return
        after = rows[-1].chain_index


def _unsealed(
    session: Session, cursor: tuple[int, int], *, older_than: datetime
) -> tuple[int, int]:
    """Unsealed records: (pending, stale), stale being behind the cursor or past the deadline."""
    behind = tuple_(AuditRecord.xid, AuditRecord.seq) < tuple_(*cursor)
    overdue = or_(behind, AuditRecord.occurred_at < older_than)
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(case((overdue, 1), else_=0)), 0)).where(
            ~AuditRecord.seal.has()
        )
    ).one()
    total, stale = int(row[0]), int(row[1])
    return total - stale, stale
