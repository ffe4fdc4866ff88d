"""The read replica: its read-only engine and sessions, and whether it may be read right now.

A replica may be read while it answers and lags the primary by no more than ``max_lag``
seconds. Asking costs a round trip, so each worker asks at most once per ``check_every``
seconds and every request in between uses the answer; one thread asks while the others keep
the last answer rather than queue behind it. A change of answer is logged as one line.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

log = logging.getLogger("fieldapp.replica")

#: Set on an error raised by the replica's engine, so that a request can tell it from the primary's.
FROM_REPLICA = "fieldapp_from_replica"

# A standby that has replayed all the WAL it received, while it still streams WAL, is current
# however long ago the primary last committed; else the lag is the age of the last replayed
# commit (NULL, never replayed: as far behind as can be), which overstates it on a quiet
# primary: it errs towards the primary. Not in recovery: it is a primary. The receiver's
# status is NULL to a role without pg_read_all_stats: then a running receiver counts.
_POSTGRES_LAG = text(
    """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AND EXISTS (
            SELECT 1 FROM pg_stat_wal_receiver WHERE coalesce(status, 'streaming') = 'streaming'
        ) THEN 0
        ELSE coalesce(
            extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 'Infinity'::float8)
    END
    """
)


def measure_lag(connection: Connection) -> float:
    """Seconds the database behind ``connection`` lags its primary (0 for SQLite or a primary)."""
    if connection.dialect.name != "postgresql":
        connection.execute(text("SELECT 1"))
        return 0.0
    return float(connection.execute(_POSTGRES_LAG).scalar_one())


@dataclass(frozen=True)
class Health:
    """The last answer: whether the replica may be read, why not, and when it was asked."""

    usable: bool
    reason: str  # "current", "lagging" or "unreachable"
    checked_at: float
    lag_seconds: float | None = None


def _mark_replica_error(context: ExceptionContext) -> None:
    """Label an error as the replica's, so the request falls back instead of failing."""
    if context.sqlalchemy_exception is not None:
        setattr(context.sqlalchemy_exception, FROM_REPLICA, True)


def raised_by_replica(error: BaseException) -> bool:
    """Whether a database error came from the replica's engine."""
    return bool(getattr(error, FROM_REPLICA, False))


class Replica:
    """A read-only engine on the replica, its sessions, and its cached health."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_lag: float,
        check_every: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        measure: Callable[[Connection], float] = measure_lag,
    ) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.max_lag = max_lag
        self.check_every = check_every
        self.clock = clock
        self.measure = measure
        self._asking = threading.Lock()
        self._health: Health | None = None
        event.listen(engine, "handle_error", _mark_replica_error)

    def usable(self) -> bool:
        """Whether requests may read the replica now (asked at most once per ``check_every``)."""
        health = self._health
        now = self.clock()
        if health is not None and now - health.checked_at < self.check_every:
            return health.usable
        # One thread asks; the others keep the last answer (none yet: the primary).
        if not self._asking.acquire(blocking=False):
            return health.usable if health is not None else False
        try:
            return self._settle(*self._ask(now)).usable
        finally:
            self._asking.release()

    def failed(self, error: BaseException) -> None:
        """A request's read on the replica failed: use the primary until the next check."""
        self._settle(Health(False, "unreachable", self.clock()), error)

    def _ask(self, now: float) -> tuple[Health, BaseException | None]:
        """Ask the replica how far behind it is (and the error if it did not answer)."""
        try:
            with self.engine.connect() as connection:
                lag = self.measure(connection)
        except SQLAlchemyError as error:
            return Health(False, "unreachable", now), error
        if lag > self.max_lag:
            return Health(False, "lagging", now, lag), None
        return Health(True, "current", now, lag), None

    def _settle(self, health: Health, error: BaseException | None = None) -> Health:
        """Keep the new answer; log one line when it changes whether the replica is read."""
        before, self._health = self._health, health
        if before is None or before.usable != health.usable:
            fields = {"reason": health.reason, "lag_seconds": health.lag_seconds}
            if error is not None:
                fields["error"] = type(getattr(error, "orig", None) or error).__name__
            if health.usable:
                log.info("replica in use", extra={"fields": fields})
            else:
                log.warning("replica not used, reading from the primary", extra={"fields": fields})
        return health

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
