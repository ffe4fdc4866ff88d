"""The per-worker principal cache: a tagged cache trusted only while its channel is alive.

Every lookup first drains the subscription without waiting, so an invalidation published
anywhere before this request began is applied before the cache is read. While the channel is
quiet and not yet proven alive again, lookups miss (the caller reads the database); once it is
lost, the cache is emptied and lookups miss until a new subscription is confirmed. One thread
per process tries that at most once a second while the others carry on reading the database.
A lock serialises gthread workers' threads.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Iterable
from typing import Any

from redis import RedisError

from fieldapp.core.principal_cache import TaggedCache
from fieldapp.principal_channel import NOT_SUBSCRIBED, ChannelDown, Subscription

log = logging.getLogger(__name__)


class PrincipalStore:
    """What one worker process caches about callers, and its subscription to changes."""

    def __init__(self, cache: TaggedCache[Any], subscription: Subscription) -> None:
        self.cache = cache
        self.subscription = subscription
        self._lock = threading.Lock()
        self._connecting = threading.Lock()
        _stores.add(self)

    def lookup(self, key: str) -> tuple[Any, int | None]:
        """The cached value (or None) and the token to store a fresh read with (None: don't)."""
        self._reconnect_if_due()
        with self._lock:
            if not self._drain():
                return None, None
            return self.cache.get(key), self.cache.generation

    def keep(self, key: str, value: Any, tags: Iterable[str], token: int | None) -> None:
        """Store a value read from the database, unless anything was invalidated meanwhile."""
        if token is None:
            return
        with self._lock:
            # Drain again: a change announced while we read must win over what we read.
            if self._drain():
                self.cache.put(key, value, tags, generation=token)

    def invalidate(self, tags: Iterable[str]) -> None:
        """Drop entries in this process at once (the change was committed here)."""
        with self._lock:
            self.cache.invalidate(tags)

    def _drain(self) -> bool:
        """Apply what arrived on the channel; whether the cache may be used now (lock held)."""
        try:
            messages, alive = self.subscription.poll()
        except ChannelDown as exc:
            self.cache.clear()
            if str(exc) != NOT_SUBSCRIBED:  # once, when the subscription is lost
                log.warning("principal cache off until Redis answers again: %s", exc)
            return False
        for tags in messages:
            self.cache.invalidate(tags)
        return alive

    def _reconnect_if_due(self) -> None:
        """Subscribe again if the channel is down and a second has passed since the last try."""
        if not self.subscription.reconnect_due() or not self._connecting.acquire(blocking=False):
            return
        try:
            if not self.subscription.reconnect_due():
                return
            try:
                connection = self.subscription.connect()
            except (RedisError, OSError, ChannelDown) as exc:
                # Once a second per worker during an outage: kept out of the warnings.
                log.info("principal cache: cannot subscribe: %s", exc.__class__.__name__)
                return
            with self._lock:
                self.cache.clear()  # anything kept before this subscription may have missed news
                self.subscription.install(connection)
        finally:
            self._connecting.release()

    def after_fork(self) -> None:
        """In a new worker process: nothing of the parent's cache, socket or locks is used."""
        self._lock = threading.Lock()
        self._connecting = threading.Lock()
        self.cache.clear()
        self.subscription.forget_after_fork()


_stores: weakref.WeakSet[PrincipalStore] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """Reset every store in a freshly forked process (gunicorn forks workers from its master)."""
    for store in list(_stores):
        store.after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
