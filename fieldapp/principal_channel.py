"""The Redis pub/sub channel that tells every worker which principals changed.

A message is a JSON list of tags (``s:<session id>``, ``u:<user id>``, ``*``...). Redis writes
a message to every subscriber's socket before it answers the PUBLISH, so a worker that drains
its socket (without waiting) before each lookup sees every change answered anywhere before its
request began. A subscription is trusted only while it is proven alive: the SUBSCRIBE was
confirmed and something (a message or the answer to a PING sent after a quiet second) was heard
within ``silence_limit`` seconds; a frozen or unreachable Redis therefore stops the cache within
seconds even when no socket error says so.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from redis import ConnectionPool, Redis, RedisError
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

#: How long any Redis call made for the cache may take, connecting included.
SOCKET_TIMEOUT_SECONDS = 0.25
#: Why :meth:`Subscription.poll` fails while no subscription is held (as during an outage).
NOT_SUBSCRIBED = "not subscribed"


class ChannelDown(Exception):
    """The subscription is lost: whatever was cached may have missed an invalidation."""


def parse_tags(payload: Any) -> list[str]:
    """The tags of one message; anything unreadable means 'everything changed'."""
    try:
        tags = json.loads(payload)
    except (TypeError, ValueError):
        return ["*"]
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return ["*"]
    return tags


def _redis_options() -> dict[str, Any]:
    """Short timeouts, no retries, RESP2: a failure is reported at once, never waited out."""
    return {
        "socket_timeout": SOCKET_TIMEOUT_SECONDS,
        "socket_connect_timeout": SOCKET_TIMEOUT_SECONDS,
        "retry": Retry(NoBackoff(), 0),
        "protocol": 2,
    }


class Subscription:
    """One worker process's subscription: drained without waiting, renewed at most once a second."""

    def __init__(
        self,
        url: str,
        channel: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        retry_every: float = 1.0,
        ping_every: float = 1.0,
        silence_limit: float = 3.0,
    ) -> None:
        # Named so that an operator can find (and a test can drop) it in CLIENT LIST.
        self._pool = ConnectionPool.from_url(
            url, client_name=f"fieldapp-principals:{channel}", **_redis_options()
        )
        self.channel = channel
        self.clock = clock
        self.retry_every = retry_every
        self.ping_every = ping_every
        self.silence_limit = silence_limit
        self._connection: Any = None
        self._pid = 0
        self._heard = self._pinged = 0.0
        self._attempted = -retry_every

    def reconnect_due(self) -> bool:
        """Whether there is no live subscription and a new attempt is allowed now."""
        return not self.connected and self.clock() - self._attempted >= self.retry_every

    @property
    def connected(self) -> bool:
        """Whether this process holds a confirmed subscription (not one inherited by fork)."""
        return self._connection is not None and self._pid == os.getpid()

    def connect(self) -> Any:
        """Open and confirm a new subscription (waits at most the socket timeout, twice)."""
        self._attempted = self.clock()
        # redis-py's connection class is untyped: held as Any.
        connection: Any = self._pool.make_connection()
        try:
            connection.connect()
            connection.send_command("SUBSCRIBE", self.channel, check_health=False)
            reply = connection.read_response()
        except (RedisError, OSError):
            connection.disconnect()
            raise
        if not isinstance(reply, list) or reply[:1] != [b"subscribe"]:
            connection.disconnect()
            raise ChannelDown(f"unexpected answer to SUBSCRIBE: {reply!r}")
        return connection

    def install(self, connection: Any) -> None:
        """Use a connection that :meth:`connect` opened (the caller has emptied the cache)."""
        self.drop()
        self._connection = connection
        self._pid = os.getpid()
        self._heard = self._pinged = self.clock()

    def poll(self) -> tuple[list[list[str]], bool]:
        """The messages that arrived, and whether the subscription is proven alive right now.

        Raises ChannelDown (and drops the connection) if the subscription is lost.
        """
        connection = self._connection
        if connection is None or self._pid != os.getpid():
            self._connection = None  # a forked child never uses its parent's socket
            raise ChannelDown(NOT_SUBSCRIBED)
        now = self.clock()
        messages: list[list[str]] = []
        try:
            while connection.can_read(timeout=0):
                reply = connection.read_response()
                self._heard = now
                if isinstance(reply, list) and reply[:1] == [b"message"]:
                    messages.append(parse_tags(reply[2]))
            if self._pinged > self._heard and now - self._pinged >= self.silence_limit:
                raise ChannelDown("no answer to PING")
            if now - self._heard >= self.ping_every and self._pinged <= self._heard:
                connection.send_command("PING", check_health=False)
                self._pinged = now
        except (RedisError, OSError, ChannelDown) as exc:
            self.drop()
            raise ChannelDown(str(exc)) from exc
        return messages, now - self._heard < self.silence_limit

    def drop(self) -> None:
        """Close the subscription (only this process's; an inherited socket is left alone)."""
        connection, self._connection = self._connection, None
        if connection is not None and self._pid == os.getpid():
            connection.disconnect()

    def forget_after_fork(self) -> None:
        """In a forked child: forget the parent's socket without touching it."""
        self._connection = None
        self._pid = 0


#: How long a PUBLISH may take. Longer than the subscribers' timeouts: a subscriber that gives
#: up merely stops trusting its cache (safe), but a PUBLISH given up leaves other machines'
#: caches stale until their silence limit, so a Redis slowed by a busy machine is waited for.
PUBLISH_TIMEOUT_SECONDS = 1.0


class Publisher:
    """Publishes changed tags to every worker of every instance (one retry)."""

    def __init__(self, url: str, channel: str) -> None:
        options = _redis_options()
        options["socket_timeout"] = PUBLISH_TIMEOUT_SECONDS
        options["retry"] = Retry(NoBackoff(), 1)
        self._client = Redis.from_url(url, **options)
        self.channel = channel

    def publish(self, tags: Iterable[str]) -> bool:
        """Tell every subscriber; False (and an ERROR log line) if Redis did not take it."""
        payload = json.dumps(sorted(tags))
        try:
            self._client.publish(self.channel, payload)
        except RedisError as exc:
            # Subscribers stop trusting a silent channel within its silence limit, and the
            # entries' time to live bounds the rest; the commit itself stands.
            log.error("principal invalidation not published: %s", exc.__class__.__name__)
            return False
        return True
