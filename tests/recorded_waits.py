"""A stop event whose waits are recorded, not slept: backoff tests never depend on time."""

from __future__ import annotations

import threading


class RecordedWaits(threading.Event):
    """Each ``wait(timeout)`` is recorded and returns at once (true once the event is set)."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        """Record the wait instead of sleeping through it."""
        self.waits.append(float(timeout or 0))
        return self.is_set()
