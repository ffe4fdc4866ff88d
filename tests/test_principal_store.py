"""The per-worker store: the cache is read only through a live subscription, and never stale."""

from __future__ import annotations

from typing import Any

from fieldapp.core.principal_cache import TaggedCache
from fieldapp.principal_channel import NOT_SUBSCRIBED, ChannelDown
from fieldapp.principal_store import PrincipalStore, _after_fork_in_child


class FakeSubscription:
    """A subscription whose state and messages the test sets."""

    def __init__(self) -> None:
        self.messages: list[list[str]] = []
        self.alive = True
        self.down: str | None = None
        self.due = False
        self.forgotten = False

    def reconnect_due(self) -> bool:
        return self.due

    def poll(self) -> tuple[list[list[str]], bool]:
        if self.down is not None:
            raise ChannelDown(self.down)
        messages, self.messages = self.messages, []
        return messages, self.alive

    def forget_after_fork(self) -> None:
        self.forgotten = True


def make_store() -> tuple[PrincipalStore, FakeSubscription]:
    subscription = FakeSubscription()
    cache: TaggedCache[Any] = TaggedCache(max_entries=10, ttl_seconds=30)
    return PrincipalStore(cache, subscription), subscription  # type: ignore[arg-type]


def test_a_kept_value_is_found_until_a_message_invalidates_it() -> None:
    store, subscription = make_store()
    _, token = store.lookup("s:1")
    store.keep("s:1", "row", ["u:1"], token)
    assert store.lookup("s:1")[0] == "row"
    subscription.messages.append(["u:1"])
    assert store.lookup("s:1") == (None, store.cache.generation)


def test_a_message_arriving_during_the_read_stops_it_being_kept() -> None:
    store, subscription = make_store()
    _, token = store.lookup("s:1")
    subscription.messages.append(["u:99"])  # any change, drained when the read is kept
    store.keep("s:1", "row", ["u:1"], token)
    assert len(store.cache) == 0


def test_an_unproven_channel_is_not_read_and_nothing_is_kept() -> None:
    store, subscription = make_store()
    _, token = store.lookup("s:1")
    store.keep("s:1", "row", [], token)
    subscription.alive = False
    assert store.lookup("s:1") == (None, None)
    store.keep("s:2", "row", [], store.cache.generation)
    assert store.cache.get("s:2") is None
    subscription.alive = True  # proven again: what was kept is still good
    assert store.lookup("s:1")[0] == "row"


def test_a_lost_channel_empties_the_cache() -> None:
    store, subscription = make_store()
    _, token = store.lookup("s:1")
    store.keep("s:1", "row", [], token)
    subscription.down = "Connection closed by server."
    assert store.lookup("s:1") == (None, None)
    subscription.down = None
    assert store.lookup("s:1")[0] is None
    subscription.down = NOT_SUBSCRIBED
    assert store.lookup("s:1") == (None, None)


def test_a_forked_worker_starts_empty_and_unsubscribed() -> None:
    store, subscription = make_store()
    _, token = store.lookup("s:1")
    store.keep("s:1", "row", [], token)
    _after_fork_in_child()
    assert len(store.cache) == 0
    assert subscription.forgotten
