"""The principal cache's structure: a bounded, expiring map emptied by tags.

Each entry is stored under a key (``s:<session id>``) with tags naming what it was read from
(``u:<user id>``, ``t:<team id>``...). Invalidating a tag drops every entry carrying it; the tag
``*`` drops everything. Every invalidation advances ``generation``: a value read from the
database is stored only with the generation seen before the read began, so a read that raced
an invalidation is never kept. Pure: no Flask, no database, no Redis, no locking (the caller
holds a lock).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

#: The tag that invalidates every entry.
EVERYTHING = "*"

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    """One cached value, what it was read from, and when it was stored."""

    value: V
    tags: frozenset[str]
    stored_at: float


class TaggedCache(Generic[V]):
    """A least-recently-used map with a time to live and invalidation by tag."""

    def __init__(
        self,
        *,
        max_entries: int,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1 or ttl_seconds <= 0:
            raise ValueError("max_entries and ttl_seconds must be positive")
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self.generation = 0
        self._entries: OrderedDict[str, _Entry[V]] = OrderedDict()
        self._keys_by_tag: dict[str, set[str]] = {}

    def __len__(self) -> int:
        """How many entries are held (expired ones included until looked up or evicted)."""
        return len(self._entries)

    def get(self, key: str) -> V | None:
        """The live value under ``key``, or None (an expired one is dropped)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self.clock() - entry.stored_at >= self.ttl_seconds:
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return entry.value

    def put(self, key: str, value: V, tags: Iterable[str], *, generation: int) -> bool:
        """Store ``value`` if nothing was invalidated since ``generation``; True if stored."""
        if generation != self.generation:
            return False
        self._remove(key)
        entry = _Entry(value, frozenset(tags) | {key}, self.clock())
        self._entries[key] = entry
        for tag in entry.tags:
            self._keys_by_tag.setdefault(tag, set()).add(key)
        while len(self._entries) > self.max_entries:
            self._remove(next(iter(self._entries)))
        return True

    def invalidate(self, tags: Iterable[str]) -> None:
        """Drop every entry carrying one of ``tags`` (all of them for ``*``)."""
        self.generation += 1
        for tag in tags:
            if tag == EVERYTHING:
                self._drop_all()
                return
            for key in list(self._keys_by_tag.get(tag, ())):
                self._remove(key)

    def clear(self) -> None:
        """Drop everything (the invalidation channel is down or was replaced)."""
        self.invalidate([EVERYTHING])

    def _drop_all(self) -> None:
        """Forget every entry and tag."""
        self._entries.clear()
        self._keys_by_tag.clear()

    def _remove(self, key: str) -> None:
        """Forget one entry and its tags."""
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for tag in entry.tags:
            keys = self._keys_by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_by_tag[tag]
