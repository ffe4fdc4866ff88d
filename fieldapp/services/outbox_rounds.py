"""The loop an outbox worker runs: a round of work, a pause when idle, patience in an outage.

Shared by the message delivery workers and the webhook workers, so both wait out a database
that does not answer alike (``core.outage_waits``: each wait twice the last, one log line each)
and never exit because of it.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from fieldapp.core.outage_waits import next_outage_wait


def run_rounds(
    one_round: Callable[[], bool],
    *,
    stop: threading.Event,
    once: bool,
    idle_sleep: float,
    tally: Counter[str],
    log: logging.Logger,
    waiting: str,
) -> None:
    """Run ``one_round`` (True when it found work) until ``stop`` is set, or with ``once``
    until a round finds nothing. While the database does not answer, log ``waiting``, count
    ``database_unavailable`` and try again after a longer wait each time."""
    outage_wait = 0.0
    while not stop.is_set():
        try:
            busy = one_round()
        except (DBAPIError, PoolTimeout) as error:
            outage_wait = next_outage_wait(outage_wait, pace=idle_sleep)
            log.warning(
                waiting,
                extra={"fields": {"error": type(error).__name__, "retry_in": outage_wait}},
            )
            tally["database_unavailable"] += 1
            stop.wait(outage_wait)
            continue
        outage_wait = 0.0
        if not busy:
            if once:
                break
            stop.wait(idle_sleep)
