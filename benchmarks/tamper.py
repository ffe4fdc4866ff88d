"""Attack the audit ledger on a scratch PostgreSQL database and print what ``audit verify`` says.

``.venv/bin/python -m benchmarks.tamper`` (``FIELDAPP_BENCH_DATABASE_URL``, default
``postgresql://postgres@127.0.0.1:5432/fieldapp_ledger_bench``; its name must contain ``bench``
and its ``public`` schema is wiped for every attack). Each attack starts from 10 sealed records
and a checkpoint, then acts as the database owner would (triggers off with
``session_replication_role = replica``): truncate the tail; truncate and rewrite the head with
the HMAC key; delete a middle record; re-seal an edited record with the project's own sealing
function and key; re-seal without the key; reorder; edit.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from benchmarks.instance import prepare_postgres
from fieldapp import create_app, migrate
from fieldapp.audit_keys import load_ledger_keys
from fieldapp.core.audit_chain import seal_records
from fieldapp.database import get_database
from fieldapp.models import AuditRecord, AuditSeal
from fieldapp.models.base import utcnow
from fieldapp.services import audit
from fieldapp.services.audit_sealer import RECORD_COLUMNS, read_head, seal_all

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/fieldapp_ledger_bench"
RECORDS = 10


def _append(session: Session, *names: str) -> None:
    for name in names:
        audit.record_anonymous(
            session, actor_name="pc.tamper", client_address=None, request_id=None,
            purpose="tamper test", operation=audit.CONSULTATION, resource_type="case",
            resource_id=name, outcome="allowed",
        )  # fmt: skip
    session.commit()


def _seqs(session: Session) -> list[int]:
    return list(session.scalars(select(AuditSeal.record_seq).order_by(AuditSeal.chain_index)))


def _owner(session: Session) -> None:
    """Act as an owner or superuser: the append-only triggers stop for this transaction."""
    session.execute(text("SET LOCAL session_replication_role = replica"))


def _drop_from(session: Session, index: int, *, records: bool) -> None:
    _owner(session)
    seqs = _seqs(session)[index - 1 :]
    session.execute(delete(AuditSeal).where(AuditSeal.chain_index >= index))
    if records:
        session.execute(delete(AuditRecord).where(AuditRecord.seq.in_(seqs)))


def _reseal(app: Flask, session: Session, seqs: list[int]) -> None:
    keys = load_ledger_keys(app.config, Path(app.instance_path))
    rows = {row.seq: dict(row._mapping) for row in session.execute(select(*RECORD_COLUMNS))}
    seals = seal_records(
        [rows[seq] for seq in seqs], read_head(session), origin=keys.origin,
        key_id=keys.key_id, key=keys.current_key,
    )  # fmt: skip
    session.execute(insert(AuditSeal).values([{**vars(s), "sealed_at": utcnow()} for s in seals]))


def truncate(app: Flask, session: Session) -> None:
    """Delete the last three records and their seals."""
    _drop_from(session, 8, records=True)


def truncate_and_rewrite_head(app: Flask, session: Session) -> None:
    """Delete the last three, then append and seal three others with the key."""
    _drop_from(session, 8, records=True)
    session.commit()
    _append(session, "forged-8", "forged-9", "forged-10")
    seal_all(get_database(app).sessions, load_ledger_keys(app.config, Path(app.instance_path)),
             now=utcnow())  # fmt: skip


def delete_middle(app: Flask, session: Session) -> None:
    """Delete record 5 and its seal."""
    seq = _seqs(session)[4]
    _owner(session)
    session.execute(delete(AuditSeal).where(AuditSeal.chain_index == 5))
    session.execute(delete(AuditRecord).where(AuditRecord.seq == seq))


def reseal_with_key(app: Flask, session: Session) -> None:
    """Edit record 4 and re-seal from it with the project's own sealing function and key."""
    seqs = _seqs(session)
    _drop_from(session, 4, records=False)
    session.execute(update(AuditRecord).where(AuditRecord.seq == seqs[3]).values(actor_name="x"))
    _reseal(app, session, seqs[3:])


def reseal_without_key(app: Flask, session: Session) -> None:
    """Edit record 4 and re-seal from it with a guessed key under the same key id."""
    seqs = _seqs(session)
    _drop_from(session, 4, records=False)
    session.execute(update(AuditRecord).where(AuditRecord.seq == seqs[3]).values(actor_name="x"))
    real = app.config["AUDIT_HMAC_KEYS"]
    app.config["AUDIT_HMAC_KEYS"] = "dev-1:" + "Z" * 44
    try:
        _reseal(app, session, seqs[3:])
    finally:
        app.config["AUDIT_HMAC_KEYS"] = real


def reorder(app: Flask, session: Session) -> None:
    """Swap records 4 and 5 in the chain, re-sealing with the key."""
    seqs = _seqs(session)
    _drop_from(session, 4, records=False)
    _reseal(app, session, [seqs[4], seqs[3], *seqs[5:]])


def edit(app: Flask, session: Session) -> None:
    """Change who acted in record 6."""
    seq = _seqs(session)[5]
    _owner(session)
    session.execute(update(AuditRecord).where(AuditRecord.seq == seq).values(actor_name="x"))


ATTACKS: tuple[Callable[[Flask, Session], None], ...] = (
    truncate,
    truncate_and_rewrite_head,
    delete_middle,
    reseal_with_key,
    reseal_without_key,
    reorder,
    edit,
)


def attack(url: str, workdir: Path, action: Callable[[Flask, Session], None]) -> str:
    """A fresh ledger of sealed records and a checkpoint, the attack, then verify's answer."""
    prepare_postgres(url)
    migrate.upgrade(url)
    os.environ["FIELDAPP_INSTANCE_PATH"] = str(workdir / action.__name__)
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    runner = app.test_cli_runner()
    with get_database(app).sessions() as session:
        _append(session, *(f"r{n}" for n in range(1, RECORDS + 1)))
    assert runner.invoke(args=["audit", "seal", "--once"]).exit_code == 0
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    with get_database(app).sessions() as session:
        action(app, session)
        session.commit()
    result = runner.invoke(args=["audit", "verify"])
    get_database(app).dispose()
    lines = [line for line in result.output.splitlines() if "BROKEN" in line or "STALE" in line]
    return f"exit {result.exit_code}: " + (lines[0] if lines else result.output.strip())


def main() -> int:
    """Run every attack and print one line each."""
    url = os.environ.get("FIELDAPP_BENCH_DATABASE_URL", DEFAULT_URL)
    with tempfile.TemporaryDirectory(prefix="fieldapp-tamper-") as workdir:
        for action in ATTACKS:
            print(f"{action.__name__:26} {attack(url, Path(workdir), action)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
