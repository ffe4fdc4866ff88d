"""The database engines and the per-request sessions: on the primary, and on the replica."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from fieldapp.deadlines import Peers, add_deadlines
from fieldapp.readiness import DatabaseProbe
from fieldapp.replica import Replica

EXTENSION_KEY = "fieldapp.database"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver the URL names."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class Timeouts:
    """How long the app waits on PostgreSQL before answering 503 instead of hanging."""

    statement_ms: int = 5000
    lock_ms: int = 2000
    connect_seconds: int = 2
    pool_seconds: int = 2
    #: How long the pre-ping of a pooled connection may wait (a stopped server never answers).
    ping_ms: int = 1000
    #: How long /ready waits for its probe before saying the database is not answering.
    ready_ms: int = 800


def make_engine(
    url: str,
    *,
    timeouts: Timeouts | None = None,
    peers: Peers | None = None,
    read_only: bool = False,
    **options: Any,
) -> Engine:
    """Create an engine with settings that suit each database.

    ``hide_parameters``: a database error's text never carries the statement's parameters
    (names, phone numbers, password hashes, token ids), so neither can any log of it.
    With ``timeouts`` (the app's engines), every PostgreSQL connection carries a statement
    and a lock timeout, connecting and waiting for a pooled connection are bounded, and a
    pooled connection is pinged before use (a restarted server leaves stale ones). Every
    wait on the server, the ping included, has a client-side deadline too
    (``fieldapp.deadlines``), since a stopped server applies none of its own timeouts.
    ``read_only``: every transaction refuses to write (PostgreSQL's
    ``default_transaction_read_only``, SQLite's ``query_only``), for the replica.
    """
    url = normalise_url(url)
    options.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15}, **options)
        event.listen(engine, "connect", _configure_sqlite)
        if read_only:
            event.listen(engine, "connect", _refuse_sqlite_writes)
        return engine
    connect_args: dict[str, Any] = {}
    settings = ["-c default_transaction_read_only=on"] if read_only else []
    if timeouts is not None:
        options.setdefault("pool_timeout", timeouts.pool_seconds)
        connect_args["connect_timeout"] = timeouts.connect_seconds
        settings += [f"-c statement_timeout={timeouts.statement_ms}"]
        settings += [f"-c lock_timeout={timeouts.lock_ms}"]
    if settings:
        connect_args["options"] = " ".join(settings)
    if connect_args:
        options.setdefault("connect_args", connect_args)
    engine = create_engine(url, pool_size=5, max_overflow=5, **options)
    if timeouts is not None:
        add_deadlines(
            engine,
            peers=peers or Peers(evidence_seconds=timeouts.ping_ms / 1000),
            ping_seconds=timeouts.ping_ms / 1000,
            statement_seconds=timeouts.statement_ms / 1000,
        )
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, enforced foreign keys, wait rather than fail on locks."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _refuse_sqlite_writes(dbapi_connection: Any, _record: Any) -> None:
    """A read-only SQLite connection: any write fails ("attempt to write a readonly database")."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


@dataclass(frozen=True)
class ReplicaSettings:
    """Where the read replica is, and how far behind the primary it may be and still be read."""

    url: str
    max_lag_seconds: float = 30.0


class Database:
    """Holds the engine, a read-only autocommit view of it, the session factory, and a replica."""

    def __init__(
        self,
        url: str,
        timeouts: Timeouts,
        replica: ReplicaSettings | None = None,
    ) -> None:
        # One server, so one finding that it is silent ends the waits of both pools.
        peers = Peers(evidence_seconds=timeouts.ping_ms / 1000)
        self.engine = make_engine(url, timeouts=timeouts, peers=peers)
        # A separate pool of autocommit connections for single-row reads on every request
        # (the caller's session): one round trip, no BEGIN/ROLLBACK, nothing to reset.
        self.autocommit = make_engine(
            url,
            timeouts=timeouts,
            peers=peers,
            isolation_level="AUTOCOMMIT",
            pool_reset_on_return=None,
        )
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.probe = DatabaseProbe(self.autocommit, deadline=timeouts.ready_ms / 1000)
        self.replica: Replica | None = None
        if replica is not None:
            # Another server: its own peers, so a silent replica never cuts the primary's waits.
            engine = make_engine(replica.url, timeouts=timeouts, read_only=True)
            self.replica = Replica(engine, max_lag=replica.max_lag_seconds)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.probe.close()
        self.engine.dispose()
        self.autocommit.dispose()
        if self.replica is not None:
            self.replica.dispose()


def init_app(app: Flask) -> None:
    """Attach the database and close each request's session when it ends."""
    timeouts = Timeouts(
        statement_ms=app.config["DB_STATEMENT_TIMEOUT_MS"],
        lock_ms=app.config["DB_LOCK_TIMEOUT_MS"],
        connect_seconds=app.config["DB_CONNECT_TIMEOUT_SECONDS"],
        pool_seconds=app.config["DB_POOL_TIMEOUT_SECONDS"],
        ping_ms=app.config["DB_PING_TIMEOUT_MS"],
        ready_ms=app.config["DB_READY_TIMEOUT_MS"],
    )
    replica_url = app.config["REPLICA_DATABASE_URL"]
    replica = (
        ReplicaSettings(replica_url, app.config["REPLICA_MAX_LAG_SECONDS"]) if replica_url else None
    )
    app.extensions[EXTENSION_KEY] = Database(app.config["DATABASE_URL"], timeouts, replica)
    app.teardown_appcontext(_close_session)


def get_database(app: Flask | None = None) -> Database:
    """The app's database."""
    database: Database = (app or current_app).extensions[EXTENSION_KEY]
    return database


def get_session() -> Session:
    """This request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = get_database().sessions()
    session: Session = g.db_session
    return session


def get_replica_session() -> Session:
    """This request's session on the replica, opened on first use; only when there is one."""
    if "replica_session" not in g:
        replica = get_database().replica
        if replica is None:
            raise RuntimeError("no replica is configured (FIELDAPP_REPLICA_DATABASE_URL)")
        g.replica_session = replica.sessions()
    session: Session = g.replica_session
    return session


def close_replica_session() -> None:
    """End this request's replica session, if it has one (its transaction only read)."""
    session: Session | None = g.pop("replica_session", None)
    if session is not None:
        session.close()


def _close_session(_error: BaseException | None) -> None:
    """Roll back anything uncommitted and return the connections to their pools."""
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
    close_replica_session()
