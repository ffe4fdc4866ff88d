"""Whether this instance should get traffic: it is not stopping, and the database answers.

Both answers come within a bound whatever the database does: the probe runs in a thread of
its own, one at a time, and ``/ready`` waits for it only until the probe's deadline. The
gunicorn worker's own loop (fieldapp.serving) answers ``/ready`` too, and must not stop
accepting for a whole deadline: a thread that said ``waits_at_most`` waits for a probe that
long at most, and not at all for one already past its deadline (a silent database).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as ProbeTimeout

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

#: Set on SIGTERM by the draining gunicorn worker (fieldapp.serving): the instance is
#: answering what it already has and wants no more, so a load balancer should stop sending.
stopping = threading.Event()

_waits = threading.local()


def waits_at_most(seconds: float) -> None:
    """From now on, probes asked from this thread are waited for ``seconds`` at most."""
    _waits.limit = seconds


class DatabaseProbe:
    """``SELECT 1`` on an engine, answered within ``deadline`` seconds."""

    def __init__(self, engine: Engine, *, deadline: float) -> None:
        self.engine = engine
        self.deadline = deadline
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._running: Future[None] | None = None
        self._started = 0.0

    def answers(self) -> bool:
        """Whether the database answered in time; a probe still waiting from before counts too."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="ready-probe")
            # One probe at a time: a silent database does not gather a thread per request.
            if self._running is None or self._running.done():
                self._running = self._executor.submit(self._select_one)
                self._started = time.monotonic()
            running = self._running
            wait = self.deadline
            if (limit := getattr(_waits, "limit", None)) is not None:
                wait = max(0.0, min(limit, self._started + self.deadline - time.monotonic()))
        try:
            running.result(timeout=wait)
        except (ProbeTimeout, SQLAlchemyError):
            return False
        return True

    def close(self) -> None:
        """Stop the probe's thread (without waiting for a probe still running)."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False)
                self._executor = None

    def _select_one(self) -> None:
        """One round trip on a pooled autocommit connection."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
