"""flask --app wsgi audit seal|checkpoint|verify: verify names the first bad index and its kind.

Each tamper test acts as an attacker with owner rights would: triggers off, rows changed.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from fieldapp.core.audit_chain import seal_records
from fieldapp.core.audit_checkpoints import parse_notes
from fieldapp.models import AuditRecord, AuditSeal
from fieldapp.models.base import utcnow
from fieldapp.services.audit_sealer import RECORD_COLUMNS, read_head
from tests.audit_tampering import triggers_disabled
from tests.factories.audit import append, ledger_keys, seal_everything, sealed_seqs


def _trail(app: Flask, session: Session, count: int, runner: FlaskCliRunner) -> list[int]:
    """``count`` sealed records and a checkpoint of them (written by verify); their seqs."""
    append(session, *(f"r{n}" for n in range(1, count + 1)))
    seal_everything(app)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    return sealed_seqs(session)


def _verify(runner: FlaskCliRunner) -> tuple[int, str]:
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def _drop_seals_from(session: Session, index: int, *, records: bool = False) -> None:
    """Delete seals (and optionally their records) from chain index ``index`` on."""
    with triggers_disabled(session.connection()):
        doomed = select(AuditSeal.record_seq).where(AuditSeal.chain_index >= index)
        seqs = list(session.scalars(doomed))
        session.execute(delete(AuditSeal).where(AuditSeal.chain_index >= index))
        if records:
            session.execute(delete(AuditRecord).where(AuditRecord.seq.in_(seqs)))


def _reseal(app: Flask, session: Session, seqs: list[int]) -> None:
    """Seal these records, in this order, after the current head, with the project's key."""
    keys, head = ledger_keys(app), read_head(session)
    by_seq = {row.seq: dict(row._mapping) for row in session.execute(select(*RECORD_COLUMNS))}
    seals = seal_records(
        [by_seq[seq] for seq in seqs],
        head,
        origin=keys.origin,
        key_id=keys.key_id,
        key=keys.current_key,
    )
    session.execute(insert(AuditSeal).values([{**vars(s), "sealed_at": utcnow()} for s in seals]))


def test_verify_passes_on_an_untouched_trail_and_writes_a_checkpoint(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    append(session, "a", "b", "c", "d")
    result = runner.invoke(args=["audit", "seal", "--once"])
    assert result.exit_code == 0 and "sealed 4 records" in result.output
    code, output = _verify(runner)
    assert code == 0
    assert "4 records verified" in output and "checkpoint written: size 4" in output
    assert "warning: no checkpoint in the last two minutes" in output  # the first one
    assert "warning" not in _verify(runner)[1]
    keys = ledger_keys(app)
    written = parse_notes(keys.checkpoint_path.read_text(), keys.verify_key)
    assert [(c.size, c.head_mac) for c in written] == [(4, read_head(session).mac)] * 2


def test_checkpoint_command_signs_the_current_head(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    append(session, "a", "b")
    seal_everything(app)
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and "size 2" in result.output
    keys = ledger_keys(app)
    assert [c.size for c in parse_notes(keys.checkpoint_path.read_text(), keys.verify_key)] == [2]


def test_unsealed_records_are_pending_not_broken_until_the_deadline(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    _trail(app, session, 2, runner)
    append(session, "waiting-1", "waiting-2")
    code, output = _verify(runner)
    assert code == 0
    assert "2 records verified" in output and "unsealed (pending): 2 records" in output
    app.config["AUDIT_SEAL_DEADLINE_SECONDS"] = -1  # now every unsealed record is overdue
    code, output = _verify(runner)
    assert code == 1
    assert "STALE: 2 unsealed" in output and "BROKEN" not in output


def test_editing_a_record_names_its_index(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    seqs = _trail(app, session, 5, runner)
    with triggers_disabled(session.connection()):
        session.execute(
            update(AuditRecord).where(AuditRecord.seq == seqs[2]).values(actor_name="someone")
        )
    session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert f"BROKEN at chain index 3 (record {seqs[2]}): edit or re-seal without the key" in output
    assert "checkpoint written" not in output


def test_deleting_a_middle_record_and_its_seal_names_the_missing_index(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    seqs = _trail(app, session, 5, runner)
    with triggers_disabled(session.connection()):
        session.execute(delete(AuditSeal).where(AuditSeal.chain_index == 3))
        session.execute(delete(AuditRecord).where(AuditRecord.seq == seqs[2]))
    session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert "BROKEN at chain index 3: deletion: chain index 3 is missing" in output


def test_truncating_the_tail_is_caught_by_the_checkpoint(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    _trail(app, session, 5, runner)
    _drop_seals_from(session, 4, records=True)
    session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert "BROKEN at chain index 4: truncation: chain has 3 seals" in output


def test_truncating_and_rewriting_the_head_with_the_key_is_a_fork(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    _trail(app, session, 5, runner)
    _drop_seals_from(session, 4, records=True)
    session.commit()
    append(session, "forged-4", "forged-5")
    seal_everything(app)  # the project's own sealer and key: the chain itself is consistent
    code, output = _verify(runner)
    assert code == 1
    assert "BROKEN at chain index 5: head does not match a checkpoint (re-seal or fork)" in output


def test_resealing_an_edited_record_with_the_key_is_caught_by_the_checkpoint(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    seqs = _trail(app, session, 5, runner)
    _drop_seals_from(session, 3)
    with triggers_disabled(session.connection()):
        session.execute(
            update(AuditRecord).where(AuditRecord.seq == seqs[2]).values(resource_id="forged")
        )
    _reseal(app, session, seqs[2:])
    session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert "BROKEN at chain index 5" in output and "re-sealed after chain index 0" in output


def test_resealing_without_the_key_names_the_first_resealed_index(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    seqs = _trail(app, session, 5, runner)
    _drop_seals_from(session, 3)
    app.config["AUDIT_HMAC_KEYS"] = "dev-1:" + "Z" * 44  # the attacker's guess at the key
    _reseal(app, session, seqs[2:])
    session.commit()
    app.config["AUDIT_HMAC_KEYS"] = ""
    code, output = _verify(runner)
    assert code == 1
    assert f"BROKEN at chain index 3 (record {seqs[2]}): edit or re-seal without the key" in output


def test_reordering_records_with_the_key_names_the_first_out_of_order_index(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    seqs = _trail(app, session, 5, runner)
    _drop_seals_from(session, 2)
    _reseal(app, session, [seqs[2], seqs[1], seqs[3], seqs[4]])
    session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert f"BROKEN at chain index 3 (record {seqs[1]}): reorder" in output


def test_an_altered_checkpoint_fails_its_signature(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    _trail(app, session, 3, runner)
    path = ledger_keys(app).checkpoint_path
    path.write_text(path.read_text().replace("\n3\n", "\n2\n", 1))
    code, output = _verify(runner)
    assert code == 1
    assert "bad checkpoint signature: checkpoint 1 has a bad signature" in output


def test_a_record_slipped_in_behind_the_sealer_is_stale_not_pending(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    _trail(app, session, 2, runner)
    with triggers_disabled(session.connection()):  # a forged place: below the sealer's cursor
        session.execute(
            insert(AuditRecord).values(
                seq=0, xid=0, occurred_at=utcnow(), actor_name="forger", operation="consultation",
                resource_type="case", resource_id="slipped-in", purpose="x", outcome="allowed",
            )
        )  # fmt: skip
    session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert "STALE: 1 unsealed" in output and "unsealed (pending): 0 records" in output
