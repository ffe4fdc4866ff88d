"""Alembic migrations are the only way the schema is made, and they match the models."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import DateTime, Uuid, bindparam, inspect, select, text
from sqlalchemy.orm import Session

from fieldapp import migrate
from fieldapp.database import get_database, make_engine
from fieldapp.models import IdempotencyRecord
from tests.factories import create_user

LEGACY_ID = uuid.UUID("0a0a0a0a-0000-4000-8000-000000000010")


def _differences(database_url: str) -> list[object]:
    return migrate.differences(database_url)


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    # What `flask db revision` (autogenerate) would write against the current models: nothing.
    assert _differences(database_url) == []


def test_db_revision_writes_nothing_while_models_and_migrations_agree(
    database_url: str, runner: FlaskCliRunner
) -> None:
    before = sorted(migrate.SCRIPTS.joinpath("versions").glob("*.py"))
    result = runner.invoke(args=["db", "revision", "-m", "nothing new"])
    assert result.exit_code != 0
    assert "nothing to migrate" in result.output
    assert sorted(migrate.SCRIPTS.joinpath("versions").glob("*.py")) == before


def test_db_revision_writes_the_next_numbered_script_from_the_models(
    database_url: str, tmp_path: Path
) -> None:
    # The scripts without the newest one, the database one step back: autogenerate must write
    # that step again from the models alone, numbered and chained after the head.
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.SCRIPTS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    [newest] = sorted(scripts.joinpath("versions").glob("*.py"))[-1:]
    head = newest.name.split("_", 1)[0]
    newest.unlink()
    previous = f"{int(head) - 1:04d}"
    migrate.downgrade(database_url, previous)
    try:
        assert migrate.differences(database_url) != []
        written = migrate.revision(database_url, "Letters again", scripts=scripts)
        assert written.name == f"{head}_letters_again.py"
        source = written.read_text(encoding="utf-8")
        assert f"revision = {head!r}" in source and f"down_revision = {previous!r}" in source
        migrate.upgrade(database_url, scripts=scripts)
        assert migrate.differences(database_url) == []
        migrate.downgrade(database_url, previous, scripts=scripts)
    finally:
        migrate.upgrade(database_url)
    assert migrate.differences(database_url) == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(database_url: str) -> None:
    migrate.downgrade(database_url, "base")
    engine = make_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    migrate.upgrade(database_url)
    assert _differences(database_url) == []


def test_0010_keeps_finished_keys_without_their_stored_bodies(
    app: Flask, session: Session, database_url: str
) -> None:
    user = create_user(app, session, username="pc.legacy")
    session.close()
    get_database(app).dispose()
    legacy = text(
        "INSERT INTO idempotency_keys (id, user_id, key, fingerprint, status, response_status, "
        "response_body, created_at, expires_at) VALUES (:id, :user, 'k', :print, 'done', 201, "
        '\'{"first_name": "Priya"}\', :now, :now)'
    ).bindparams(
        bindparam("id", LEGACY_ID, type_=Uuid()),
        bindparam("user", user.id, type_=Uuid()),
        bindparam("print", "0" * 64),
        bindparam("now", datetime.now(UTC), type_=DateTime(timezone=True)),
    )
    engine = make_engine(database_url)
    try:
        migrate.downgrade(database_url, "0009")
        with engine.begin() as connection:
            connection.execute(legacy)
    finally:
        migrate.upgrade(database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(select(IdempotencyRecord.__table__)).mappings().one()
    finally:
        engine.dispose()
    assert "response_body" not in row and "Priya" not in repr(dict(row))
    assert (row["owner"], row["status"], row["resource_type"]) == (LEGACY_ID, "done", None)
