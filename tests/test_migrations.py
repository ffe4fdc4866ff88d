"""Alembic migrations are the only way the schema is made, and they match the models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import DateTime, Uuid, bindparam, inspect, select, text
from sqlalchemy.orm import Session

from fieldapp import migrate
from fieldapp.database import get_database, make_engine
from fieldapp.models import Base, IdempotencyRecord
from tests.factories import create_user

LEGACY_ID = uuid.UUID("0a0a0a0a-0000-4000-8000-000000000010")


def _differences(database_url: str) -> list[object]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    assert _differences(database_url) == []


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
