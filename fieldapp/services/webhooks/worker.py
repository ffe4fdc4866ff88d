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

from sqlalchemy.orm import Session

from fieldapp.models.base import utcnow
from fieldapp.services.outbox_rounds import run_rounds
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
    running = stop or threading.Event()
    tally: Counter[str] = Counter()
    last_scan: datetime | None = None

    def one_round() -> bool:
        nonlocal last_scan
        now = clock()
        if last_scan is None or now - last_scan >= worker.settings.scan_interval:
            with sessions() as session:
                tally.update(
                    scan_duties(
                        session,
                        now=now,
                        due_soon=worker.settings.due_soon,
                        lookback=worker.settings.scan_lookback,
                    )
                )
            last_scan = now
        return bool(_deliver_batch(sessions, worker, batch, running, clock, tally))

    run_rounds(
        one_round,
        stop=running,
        once=once,
        idle_sleep=idle_sleep,
        tally=tally,
        log=log,
        waiting="webhooks waiting for the database",
    )
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
