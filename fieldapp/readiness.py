"""Whether this instance should get traffic: it is not stopping, and the database answers.

Both answers come within a bound whatever the database does: the probe runs in a thread of
its own, one at a time, and ``/ready`` waits for it only until the probe's deadline.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as ProbeTimeout

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

#: Set on SIGTERM by the draining gunicorn worker (fieldapp.serving): the instance is
#: answering what it already has and wants no more, so a load balancer should stop sending.
stopping = threading.Event()


class DatabaseProbe:
    """``SELECT 1`` on an engine, answered within ``deadline`` seconds."""

    def __init__(self, engine: Engine, *, deadline: float) -> None:
        self.engine = engine
        self.deadline = deadline
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._running: Future[None] | None = None

    def answers(self) -> bool:
        """Whether the database answered in time; a probe still waiting from before counts too."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="ready-probe")
            # One probe at a time: a silent database does not gather a thread per request.
            if self._running is None or self._running.done():
                self._running = self._executor.submit(self._select_one)
            running = self._running
        try:
            running.result(timeout=self.deadline)
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
