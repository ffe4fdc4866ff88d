"""Opaque keyset cursors round-trip and refuse anything they did not make."""

from __future__ import annotations

import pytest

from fieldapp.core.cursors import InvalidCursor, decode_cursor, encode_cursor


def test_cursor_round_trips_a_key() -> None:
    key = ["pc.smith", 42]
    cursor = encode_cursor(key)
    assert "=" not in cursor and "/" not in cursor and "+" not in cursor
    assert decode_cursor(cursor, types=(str, int)) == key


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "%%%",
        "bm90IGpzb24",
        encode_cursor(["a"]),
        encode_cursor([1, 2]),
        encode_cursor([True, 1]),
    ],
)
def test_cursor_refuses_foreign_or_mistyped_values(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, types=(str, int))


@pytest.mark.parametrize(
    "cursor",
    [
        "A" * 100_000,
        encode_cursor(["x" * 600, 1]),
        encode_cursor(["nul\x00", 1]),
        encode_cursor(["lone \ud800", 1]),
    ],
    ids=["huge", "over the cap", "nul", "lone surrogate"],
)
def test_cursor_refuses_oversized_or_unstorable_values(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, types=(str, int))
