"""The gunicorn worker (``gunicorn.conf.py``): on SIGTERM it answers everything queued first.

gunicorn's own gthread worker, on SIGTERM, stops accepting at once and closes the listening
socket when its in-flight requests are done: connections still waiting in the listen backlog
are reset (13 in the measured run), and no gunicorn setting changes that (``graceful_timeout``
only bounds the wait for requests already accepted). This worker, on SIGTERM, says so on
``/ready`` (503, so a load balancer stops sending), answers with ``Connection: close``, and
keeps accepting until no connection is waiting, at least ``FIELDAPP_DRAIN_SECONDS`` (default
0; set it to the balancer's time to notice a failing ``/ready``) and at most gunicorn's
``graceful_timeout``. Then gunicorn's own graceful stop finishes the requests in hand.

``/ready`` is answered by the worker's own loop, not queued for a thread: with every thread
busy (e.g. each waiting on a frozen database) it would wait for one, and a load balancer's
check must be answered within a second. The loop peeks at a connection's first bytes; a whole
bodiless ``GET``/``HEAD /ready`` request is handled right there by gthread's own ``handle``
(so the app's view stays the one answer, with the access log line and X-Request-ID), the
probe waited for ``READY_WAIT_SECONDS`` at most. Anything else goes to the threads as before.
"""

from __future__ import annotations

import os
import re
import select
import selectors
import signal
import socket
import time
from concurrent.futures import Future
from functools import partial
from types import FrameType

from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import DEFAULT_WORKER_DATA_TIMEOUT, TConn, ThreadWorker

from fieldapp.readiness import stopping, waits_at_most

#: How long the worker's loop waits for a readiness probe: the database answers ``SELECT 1``
#: in milliseconds; one slower than this while every thread is busy is not ready for more.
READY_WAIT_SECONDS = 0.25
#: A whole request head for ``/ready`` with nothing after it that a thread would have to read.
_READY_REQUEST = re.compile(rb"(GET|HEAD) /ready HTTP/1\.[01]\r\n(.*?\r\n)?\r\n\Z", re.S)
_BODY_OR_UPGRADE = re.compile(rb"\r\n(content-length|transfer-encoding|expect|upgrade):", re.I)
_PEEK_BYTES = 8192


class DrainingWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn has no type hints
    """gthread, draining the listen backlog on SIGTERM before it stops."""

    linger_until = 0.0
    stop_by = 0.0
    busy = 0  # connections handed to the thread pool and not finished yet

    def run(self) -> None:
        """gthread's loop; readiness probes asked from it are waited for briefly."""
        waits_at_most(READY_WAIT_SECONDS)
        super().run()

    def enqueue_req(self, conn: TConn) -> None:
        """Answer ``/ready`` here and now; hand anything else to a thread (gthread's way)."""
        head = _peek(conn)
        if head is None and not conn.data_ready and self.busy >= self.cfg.threads:
            # Nothing sent yet and no thread free: wait on the poller, not in the pool's
            # queue, so that this loop sees what comes (a /ready, perhaps) when it comes.
            self._wait_for_data(conn)
        elif head is not None and self._asks_ready(conn, head):
            done: Future[bool] = Future()
            done.set_result(self.handle(conn))  # gthread's own, in this thread
            self.finish_request(conn, done)
        else:
            self.busy += 1
            pooled = self.tpool.submit(self.handle, conn)
            pooled.add_done_callback(
                lambda fs: self.method_queue.defer(self._finish_pooled, conn, fs)
            )

    def _finish_pooled(self, conn: TConn, fs: Future[object]) -> None:
        """A thread is free again; then gthread's own end of a request."""
        self.busy -= 1
        self.finish_request(conn, fs)

    def _asks_ready(self, conn: TConn, head: bytes) -> bool:
        """Whether ``head`` is a whole ``/ready`` request this loop can answer without a wait."""
        if self.cfg.is_ssl or negotiation.prior_knowledge_allowed(self.cfg, conn.client):
            return False  # a handshake or preface to read first: a thread's work
        return bool(_READY_REQUEST.match(head)) and not _BODY_OR_UPGRADE.search(head)

    def _wait_for_data(self, conn: TConn) -> None:
        """Park a connection on the poller until it sends (gthread's "pending" connections)."""
        conn.sock.setblocking(False)
        conn.timeout = time.monotonic() + DEFAULT_WORKER_DATA_TIMEOUT + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(
            conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )

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


def _peek(conn: TConn) -> bytes | None:
    """What a connection has sent that nobody has read yet; None if nothing (or not known)."""
    if conn.parser is not None and conn.parser.unreader.buf.getvalue():
        return None  # read ahead already: the next request is in gunicorn's buffer
    try:
        peeked: bytes = conn.sock.recv(_PEEK_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except (OSError, ValueError):  # nothing yet, or a TLS socket (which cannot peek)
        return None
    return peeked
