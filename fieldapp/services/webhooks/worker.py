"""The webhook worker loop: scan duties now and then, claim due deliveries, deliver them.

Run by ``flask --app wsgi webhooks deliver`` (and beside gunicorn). The clock, the resolver, the
sender and the random source are injected, so tests step time instead of sleeping.
"""

from __future__ import annotations

import logging
import random as random_module
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from fieldapp.core.outage_waits import next_outage_wait
from fieldapp.models.base import utcnow
from fieldapp.services.webhooks.delivery import Sender, claim, deliver_one, release, send_post
from fieldapp.services.webhooks.scan import scan_duties
from fieldapp.services.webhooks.settings import WebhookSettings
from fieldapp.services.webhooks.targets import Resolver, resolve

log = logging.getLogger("fieldapp.webhooks")


class Worker:
    """What one webhook worker needs besides a session: its name, settings and seams."""

    def __init__(
        self,
        name: str,
        settings: WebhookSettings,
        *,
        resolver: Resolver = resolve,
        sender: Sender = send_post,
        random: Callable[[], float] = random_module.random,
    ) -> None:
        """A worker named ``name`` (recorded on claims)."""
        self.name, self.settings = name, settings
        self.resolver, self.sender, self.random = resolver, sender, random

    def deliver(self, session: Session, delivery_id: uuid.UUID, now: datetime) -> str:
        """Deliver one claimed delivery; an unexpected error leaves it leased, to be reclaimed."""
        try:
            return deliver_one(
                session,
                delivery_id,
                worker=self.name,
                settings=self.settings,
                now=now,
                resolver=self.resolver,
                sender=self.sender,
                random=self.random,
            )
        except Exception as error:  # one bad delivery must not stop the worker
            session.rollback()
            log.error(
                "webhook delivery error",
                extra={"fields": {"delivery_id": str(delivery_id), "error": type(error).__name__}},
            )
            return "error"


def run_worker(
    sessions: Callable[[], Session],
    worker: Worker,
    *,
    batch: int = 10,
    once: bool = False,
    stop: threading.Event | None = None,
    idle_sleep: float = 1.0,
    clock: Callable[[], datetime] = utcnow,
) -> Counter[str]:
    """Scan duties (each ``scan_interval``), claim and deliver, until the queue is empty
    (``once``) or ``stop`` is set. ``clock`` tells the time (tests step it, never sleep).
    While the database does not answer, the worker waits longer each time and tries again."""
    stop = stop or threading.Event()
    tally: Counter[str] = Counter()
    outage_wait = 0.0
    last_scan: datetime | None = None
    while not stop.is_set():
        try:
            now = clock()
            if last_scan is None or now - last_scan >= worker.settings.scan_interval:
                with sessions() as session:
                    tally += scan_duties(
                        session,
                        now=now,
                        due_soon=worker.settings.due_soon,
                        lookback=worker.settings.scan_lookback,
                    )
                last_scan = now
            ids = _deliver_batch(sessions, worker, batch, stop, clock, tally)
        except (DBAPIError, PoolTimeout) as error:
            outage_wait = next_outage_wait(outage_wait, pace=idle_sleep)
            log.warning(
                "webhooks waiting for the database",
                extra={"fields": {"error": type(error).__name__, "retry_in": outage_wait}},
            )
            tally["database_unavailable"] += 1
            stop.wait(outage_wait)
            continue
        outage_wait = 0.0
        if not ids:
            if once:
                break
            stop.wait(idle_sleep)
    return tally


def _deliver_batch(
    sessions: Callable[[], Session],
    worker: Worker,
    batch: int,
    stop: threading.Event,
    clock: Callable[[], datetime],
    tally: Counter[str],
) -> list[uuid.UUID]:
    """Claim one batch and deliver it; the ids claimed."""
    with sessions() as session:
        ids = claim(session, worker=worker.name, batch=batch, settings=worker.settings, now=clock())
        for index, delivery_id in enumerate(ids):
            if stop.is_set():  # the current delivery is finished: hand back the rest
                release(session, ids[index:], worker=worker.name)
                break
            tally[worker.deliver(session, delivery_id, clock())] += 1
    return ids
