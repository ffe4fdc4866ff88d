"""Client-side deadlines on PostgreSQL connections: a silent server cannot hold a request.

``statement_timeout`` and ``lock_timeout`` are enforced by the server, so a server that is
stopped (SIGSTOP), swapped out or cut off by a firewall that drops packets never applies
them, and the client waits on a socket that never answers. What psycopg 3 offers against a
stopped server, whose kernel still accepts connections and acknowledges every packet:

- ``connect_timeout`` bounds connecting, the startup exchange included: used, and it works.
- ``tcp_user_timeout`` and TCP keepalives never fire: the kernel acknowledges the data and
  the probes for the stopped process.
- a cancel request goes to the same stopped postmaster, which never reads it.
- ``Connection.wait(timeout=...)``, psycopg's own wait on the socket, does work: every
  exchange (statement, commit, rollback, ping) goes through it. On expiry the protocol
  state is unknown, so the connection is closed; SQLAlchemy sees it closed, takes the
  error for a disconnect and invalidates the connection instead of pooling it again.
  The first connection to find the server silent (or a connection attempt that times
  out) also shuts the sockets of the app's other connections that have waited as long
  (``Peers``), so that statements already running end then too, not each at its own
  deadline.

Every pooled connection is pinged at checkout with a short deadline (``ping``); while
checked out it has the statement timeout plus a margin, so that the server's own timeout (a
clean error, the connection kept) normally comes first. The ping is done here rather than
by SQLAlchemy's ``pool_pre_ping``, which takes any failed ping for a disconnect and connects
again, waiting out the connect timeout too: a silent ping fails the checkout at once (the
pool discards the connection), while a closed one (a restarted server) still reconnects.
"""

from __future__ import annotations

import time
import weakref
from contextlib import suppress
from socket import AF_INET, SHUT_RDWR, SOCK_STREAM, fromfd
from typing import Any, TypeVar, cast

import psycopg
from psycopg.abc import PQGen
from psycopg.errors import _WaitTimeout
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

RV = TypeVar("RV")

#: Seconds past the statement timeout before the client gives up on the server itself.
STATEMENT_MARGIN_SECONDS = 1.0


class DatabaseSilent(psycopg.OperationalError):
    """PostgreSQL did not answer before the connection's deadline; the connection is closed."""


class Peers:
    """Live connections to one server (the app's pools): one that finds it silent warns the rest.

    Without this, statements already running when the server stopped would each wait out
    their own (statement) deadline, holding their threads and connections meanwhile.
    """

    def __init__(self, *, evidence_seconds: float) -> None:
        self.evidence_seconds = evidence_seconds
        self.connections: weakref.WeakSet[DeadlineConnection] = weakref.WeakSet()

    def cut_off_waiting(self) -> None:
        """Shut the socket of every connection waiting on the server for the evidence time.

        Its wait wakes with "server closed the connection": a disconnect, so SQLAlchemy
        invalidates it. A server that left a ping unanswered that long is not answering them.
        """
        now = time.monotonic()
        for connection in list(self.connections):
            since = connection.waiting_since
            if since is not None and now - since >= self.evidence_seconds:
                # A duplicate of its descriptor: shutting it down shuts the one socket.
                with (
                    suppress(OSError, psycopg.Error),  # closed meanwhile
                    fromfd(connection.pgconn.socket, AF_INET, SOCK_STREAM) as duplicate,
                ):
                    duplicate.shutdown(SHUT_RDWR)


class DeadlineConnection(psycopg.Connection[Any]):
    """A psycopg connection whose every wait on the server ends by ``deadline`` seconds."""

    deadline: float | None = None
    #: True until the first checkout: a connection just made needs no ping.
    fresh: bool = True
    #: When the wait in progress began (None when not waiting on the server).
    waiting_since: float | None = None
    peers: Peers | None = None

    def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None) -> RV:
        """psycopg's wait, bounded by this connection's deadline unless told otherwise."""
        limit = self.deadline if timeout is None else timeout
        self.waiting_since = time.monotonic()
        try:
            return super().wait(gen, interval, limit)
        except _WaitTimeout:
            self.close()  # mid-exchange: the connection cannot be used again
            if self.peers is not None:
                self.peers.cut_off_waiting()
            raise DatabaseSilent(f"PostgreSQL did not answer within {limit:g} s") from None
        finally:
            self.waiting_since = None


def add_deadlines(
    engine: Engine, *, peers: Peers, ping_seconds: float, statement_seconds: float
) -> None:
    """Connect ``engine`` through deadline connections, each pinged when checked out."""
    statement_deadline = statement_seconds + STATEMENT_MARGIN_SECONDS

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> DeadlineConnection:
        try:
            connection = DeadlineConnection.connect(*cargs, **cparams)
        except psycopg.errors.ConnectionTimeout:
            peers.cut_off_waiting()  # no answer to the startup exchange: silent too
            raise
        connection.deadline, connection.peers = statement_deadline, peers
        peers.connections.add(connection)
        return connection

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if not isinstance(dbapi_connection, DeadlineConnection):
            return
        if dbapi_connection.fresh:  # it has just answered the startup exchange
            dbapi_connection.fresh = False
            return
        dbapi_connection.deadline = ping_seconds
        try:
            engine.dialect.do_ping(cast(Any, dbapi_connection))
        except DatabaseSilent:
            raise  # the checkout fails; the pool closes this connection
        except psycopg.Error as error:
            if dbapi_connection.closed or dbapi_connection.broken:
                raise DisconnectionError(str(error)) from error  # connect again
            raise
        finally:
            dbapi_connection.deadline = statement_deadline
