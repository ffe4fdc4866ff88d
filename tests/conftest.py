"""Fixtures: a migrated database per run (SQLite or PostgreSQL), an app and client per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from fieldapp import create_app, migrate
from fieldapp.database import get_database, make_engine, normalise_url
from fieldapp.models import Base
from tests.audit_tampering import triggers_disabled
from tests.notify_standin import NotifyStandIn, running_standin

BACKEND = os.environ.get("FIELDAPP_TEST_BACKEND", "sqlite")

TEST_SECRETS = {
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "JWT_SECRET_KEY": "test-jwt-key-that-is-long-enough-and-different-98765",
}


def _reset_postgres(url: str) -> None:
    """Start from an empty schema so that migrations run from scratch."""
    engine = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _create_postgres_database(url: str) -> None:
    """Create the database a URL names if it does not exist yet (on the same server)."""
    target = make_url(normalise_url(url))
    name = target.database
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = text("SELECT 1 FROM pg_database WHERE datname = :name")
        if connection.execute(exists, {"name": name}).first() is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A freshly migrated database for this run."""
    if BACKEND == "postgres":
        url = os.environ.get("FIELDAPP_TEST_DATABASE_URL", "")
        if not url:
            pytest.exit("FIELDAPP_TEST_BACKEND=postgres needs FIELDAPP_TEST_DATABASE_URL", 2)
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def standby_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A second migrated database, the same schema with other contents: a replica stand-in.

    On PostgreSQL ``FIELDAPP_TEST_REPLICA_DATABASE_URL``, else the test database's name with
    ``_standby`` after it on the same server, created if missing.
    """
    if BACKEND == "postgres":
        primary = make_url(database_url)
        url = os.environ.get("FIELDAPP_TEST_REPLICA_DATABASE_URL") or primary.set(
            database=f"{primary.database}_standby"
        ).render_as_string(hide_password=False)
        _create_postgres_database(url)
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('standby') / 'standby.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def standby(standby_url: str) -> Iterator[Session]:
    """A writable session on the replica stand-in, for arranging its contents; emptied after."""
    engine = make_engine(standby_url)
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session
    empty_tables(engine)
    engine.dispose()


def make_app(database_url: str, instance: Path, **overrides: Any) -> Flask:
    """An app on the test database with cheap password hashing and in-memory rate limits."""
    os.environ["FIELDAPP_INSTANCE_PATH"] = str(instance)
    config: dict[str, Any] = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOG_LEVEL": "WARNING",
        **TEST_SECRETS,
        **overrides,
    }
    application = create_app(config)
    _apps_to_close.append(application)
    return application


_apps_to_close: list[Flask] = []


@pytest.fixture(autouse=True)
def _close_extra_apps() -> Iterator[None]:
    """Dispose the engines of apps a test built itself, so no connection outlives it."""
    yield
    while _apps_to_close:
        get_database(_apps_to_close.pop()).dispose()


def _empty_tables(app: Flask) -> None:
    """Delete every row, children first, so each test starts clean."""
    database = get_database(app)
    empty_tables(database.engine)
    database.dispose()


def empty_tables(engine: Engine) -> None:
    """Delete every row of a database, children first."""
    with engine.begin() as connection, triggers_disabled(connection):
        # Duties and messages point at each other: break that link before deleting either.
        connection.execute(text("UPDATE contact_duties SET message_id = NULL, contact_id = NULL"))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app under test; tables are emptied afterwards."""
    application = make_app(database_url, tmp_path / "instance")
    yield application
    _empty_tables(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session outside any request, for arranging and checking state."""
    with get_database(app).sessions() as db_session:
        yield db_session


@pytest.fixture
def standin() -> Iterator[NotifyStandIn]:
    """A GOV.UK Notify stand-in on loopback, for the test's duration."""
    with running_standin() as running:
        yield running
