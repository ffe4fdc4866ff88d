"""The invalidation channel's subscription: drained without waiting, trusted only while alive."""

from __future__ import annotations

import os
from collections import deque
from typing import Any

import pytest
from redis import ConnectionError as RedisConnectionError

from fieldapp.principal_channel import ChannelDown, Subscription, parse_tags


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeConnection:
    """What the subscription uses of a redis-py connection, with replies queued by the test."""

    def __init__(self) -> None:
        self.replies: deque[Any] = deque()
        self.sent: list[tuple[str, ...]] = []
        self.closed = False

    def can_read(self, timeout: float = 0) -> bool:
        return bool(self.replies)

    def read_response(self) -> Any:
        reply = self.replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        return reply

    def send_command(self, *args: str, check_health: bool = True) -> None:
        self.sent.append(args)

    def disconnect(self) -> None:
        self.closed = True


def subscribed(clock: Clock) -> tuple[Subscription, FakeConnection]:
    subscription = Subscription("redis://127.0.0.1:1/0", "test", clock=clock)
    connection = FakeConnection()
    subscription.install(connection)
    return subscription, connection


def test_messages_that_arrived_are_returned_without_waiting() -> None:
    subscription, connection = subscribed(Clock())
    connection.replies.extend(
        [[b"message", b"test", b'["s:1", "u:2"]'], [b"message", b"test", b"not json"]]
    )
    messages, alive = subscription.poll()
    assert messages == [["s:1", "u:2"], ["*"]]
    assert alive
    assert subscription.poll() == ([], True)


def test_a_quiet_channel_is_pinged_and_distrusted_until_it_answers() -> None:
    clock = Clock()
    subscription, connection = subscribed(clock)
    clock.now += 1.0
    assert subscription.poll() == ([], True)
    assert connection.sent == [("PING",)]
    clock.now += 1.0
    assert subscription.poll() == ([], True)
    assert connection.sent == [("PING",)]  # one ping outstanding at a time
    clock.now += 1.0  # three seconds without a word: not trusted, not yet given up
    assert subscription.poll() == ([], False)
    connection.replies.append([b"pong", b""])
    assert subscription.poll() == ([], True)  # the answer proves nothing was missed


def test_an_unanswered_ping_means_the_channel_is_down() -> None:
    clock = Clock()
    subscription, connection = subscribed(clock)
    clock.now += 1.0
    subscription.poll()
    clock.now += 3.0
    with pytest.raises(ChannelDown):
        subscription.poll()
    assert connection.closed
    assert not subscription.connected


def test_a_lost_connection_means_the_channel_is_down() -> None:
    subscription, connection = subscribed(Clock())
    connection.replies.append(RedisConnectionError("Connection closed by server."))
    with pytest.raises(ChannelDown):
        subscription.poll()
    assert connection.closed
    with pytest.raises(ChannelDown):
        subscription.poll()


def test_a_forked_child_never_uses_its_parents_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    subscription, connection = subscribed(Clock())
    parent = os.getpid()
    monkeypatch.setattr(os, "getpid", lambda: parent + 1)
    assert not subscription.connected
    with pytest.raises(ChannelDown):
        subscription.poll()
    assert not connection.closed  # closing it would cut the parent's subscription


def test_reconnecting_is_attempted_at_most_once_a_second() -> None:
    clock = Clock()
    subscription = Subscription("redis://127.0.0.1:1/0", "test", clock=clock)
    assert subscription.reconnect_due()
    with pytest.raises(RedisConnectionError):
        subscription.connect()  # nothing listens on port 1
    assert not subscription.reconnect_due()
    clock.now += 0.9
    assert not subscription.reconnect_due()
    clock.now += 0.1
    assert subscription.reconnect_due()


def test_unreadable_messages_invalidate_everything() -> None:
    assert parse_tags(b'["u:1"]') == ["u:1"]
    assert parse_tags(b'{"u": 1}') == ["*"]
    assert parse_tags(b"[1]") == ["*"]
    assert parse_tags(None) == ["*"]
