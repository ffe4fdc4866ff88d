"""The gunicorn worker (``gunicorn.conf.py``): on SIGTERM it answers everything queued first.

gunicorn's own gthread worker, on SIGTERM, stops accepting at once and closes the listening
socket when its in-flight requests are done: connections still waiting in the listen backlog
are reset (13 in the measured run), and no gunicorn setting changes that (``graceful_timeout``
only bounds the wait for requests already accepted). This worker, on SIGTERM, says so on
``/ready`` (503, so a load balancer stops sending), answers with ``Connection: close``, and
keeps accepting until no connection is waiting, at least ``FIELDAPP_DRAIN_SECONDS`` (default
0; set it to the balancer's time to notice a failing ``/ready``) and at most gunicorn's
``graceful_timeout``. Then gunicorn's own graceful stop finishes the requests in hand.
"""

from __future__ import annotations

import os
import select
import signal
import time
from types import FrameType

from gunicorn.workers.gthread import ThreadWorker

from fieldapp.readiness import stopping


class DrainingWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn has no type hints
    """gthread, draining the listen backlog on SIGTERM before it stops."""

    linger_until = 0.0
    stop_by = 0.0

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Begin draining: not ready any more, no more keep-alive, still accepting."""
        if stopping.is_set():
            return
        now = time.monotonic()
        stopping.set()
        self.linger_until = now + float(os.environ.get("FIELDAPP_DRAIN_SECONDS", "0"))
        self.stop_by = now + self.cfg.graceful_timeout
        self.max_keepalived = 0  # every answer from now on says Connection: close
        self.log.info("draining: answering queued connections before stopping")
        self.method_queue.defer(lambda: None)  # wake the loop to look

    def notify(self) -> None:
        """Tell the arbiter we live; once drained, stop as gunicorn does on SIGTERM."""
        super().notify()
        if stopping.is_set() and self.alive and self.drained():
            super().handle_exit(signal.SIGTERM, None)

    def drained(self) -> bool:
        """Whether draining is over: nothing waits to be accepted, or time is up."""
        now = time.monotonic()
        if now >= self.stop_by:
            return True
        if now < self.linger_until:
            return False
        waiting, _, _ = select.select(self.sockets, [], [], 0)
        return not waiting
