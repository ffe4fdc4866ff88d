"""Migration 0008 keeps the records already in the trail, and the sealer chains them first."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import text
from sqlalchemy.orm import Session

from fieldapp import migrate
from fieldapp.database import make_engine
from tests.factories.audit import append, record_seqs, seal_everything, sealed_seqs


def test_upgrading_a_trail_with_records_keeps_them_and_seals_them_first(
    app: Flask, runner: FlaskCliRunner, session: Session, database_url: str
) -> None:
    migrate.downgrade(database_url, "0007")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for seq in (1, 2, 3):
                connection.execute(
                    text(
                        "INSERT INTO audit_records (seq, occurred_at, actor_name, operation, "
                        "resource_type, resource_id, purpose, outcome, prev_hash, hash) VALUES "
                        "(:seq, :at, 'pc.old', 'consultation', 'case', :rid, 'investigation', "
                        "'allowed', :h, :h)"
                    ),
                    {"seq": seq, "at": datetime(2026, 12, 1, tzinfo=UTC), "rid": f"old-{seq}",
                     "h": "0" * 64},
                )  # fmt: skip
    finally:
        engine.dispose()
    migrate.upgrade(database_url)
    append(session, "new")
    assert seal_everything(app) == 4
    new_seq = record_seqs(session, "new")[0]
    assert new_seq > 3
    assert sealed_seqs(session) == [1, 2, 3, new_seq]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "4 records verified" in result.output
