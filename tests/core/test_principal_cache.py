"""The principal cache's structure: least recently used, expiring, emptied by tags."""

from __future__ import annotations

import pytest

from fieldapp.core.principal_cache import EVERYTHING, TaggedCache


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_cache(clock: Clock, *, size: int = 10, ttl: float = 30.0) -> TaggedCache[str]:
    return TaggedCache(max_entries=size, ttl_seconds=ttl, clock=clock)


def test_a_stored_value_is_returned_until_it_expires() -> None:
    clock = Clock()
    cache = make_cache(clock)
    assert cache.put("s:1", "row", ["u:1"], generation=cache.generation)
    clock.now += 29.9
    assert cache.get("s:1") == "row"
    clock.now += 0.1
    assert cache.get("s:1") is None
    assert len(cache) == 0


def test_invalidating_a_tag_drops_every_entry_carrying_it_and_only_those() -> None:
    cache = make_cache(Clock())
    cache.put("s:1", "a", ["u:1", "t:9"], generation=0)
    cache.put("s:2", "b", ["u:1", "t:9"], generation=0)
    cache.put("s:3", "c", ["u:2", "t:9"], generation=0)
    cache.invalidate(["u:1"])
    assert (cache.get("s:1"), cache.get("s:2"), cache.get("s:3")) == (None, None, "c")
    cache.invalidate(["t:9"])
    assert cache.get("s:3") is None


def test_an_entry_is_invalidated_by_its_own_key() -> None:
    cache = make_cache(Clock())
    cache.put("s:1", "a", [], generation=0)
    cache.put("s:2", "b", [], generation=0)
    cache.invalidate(["s:1"])
    assert (cache.get("s:1"), cache.get("s:2")) == (None, "b")


def test_everything_and_clear_drop_all_entries() -> None:
    cache = make_cache(Clock())
    cache.put("s:1", "a", ["u:1"], generation=0)
    cache.invalidate([EVERYTHING])
    assert len(cache) == 0
    cache.put("s:2", "b", ["u:2"], generation=cache.generation)
    cache.clear()
    assert cache.get("s:2") is None


def test_a_read_that_began_before_an_invalidation_is_not_stored() -> None:
    cache = make_cache(Clock())
    token = cache.generation  # the read starts
    cache.invalidate(["u:7"])  # an unrelated-looking change lands while it reads
    assert not cache.put("s:1", "old row", ["u:1"], generation=token)
    assert cache.get("s:1") is None
    assert cache.put("s:1", "new row", ["u:1"], generation=cache.generation)


def test_the_least_recently_used_entry_goes_first_when_full() -> None:
    cache = make_cache(Clock(), size=2)
    cache.put("s:1", "a", ["u:1"], generation=0)
    cache.put("s:2", "b", ["u:1"], generation=0)
    assert cache.get("s:1") == "a"  # now s:2 is the least recently used
    cache.put("s:3", "c", ["u:1"], generation=0)
    assert (cache.get("s:1"), cache.get("s:2"), cache.get("s:3")) == ("a", None, "c")
    assert len(cache) == 2


def test_storing_again_replaces_the_value_and_its_tags() -> None:
    cache = make_cache(Clock())
    cache.put("s:1", "a", ["t:1"], generation=0)
    cache.put("s:1", "b", ["t:2"], generation=0)
    cache.invalidate(["t:1"])
    assert cache.get("s:1") == "b"
    cache.invalidate(["t:2"])
    assert cache.get("s:1") is None


def test_nonsense_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        TaggedCache(max_entries=0, ttl_seconds=30)
    with pytest.raises(ValueError):
        TaggedCache(max_entries=10, ttl_seconds=0)
