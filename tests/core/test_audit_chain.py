"""The keyed audit chain seals records in order and names the first break and its kind."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fieldapp.core.audit_chain import (
    DELETION,
    EDIT,
    REORDER,
    UNKNOWN_KEY,
    Head,
    Seal,
    chain_mac,
    record_digest,
    seal_records,
    walk_chain,
)

KEY = b"k" * 32
KEYS = {"k1": KEY}
ORIGIN = "fieldapp/test/ledger"


def _records(count: int) -> list[dict[str, Any]]:
    return [
        {
            "seq": seq,
            "xid": 100 + seq,
            "occurred_at": datetime(2026, 12, 5, 9, seq, tzinfo=UTC),
            "actor_name": "pc.one",
            "operation": "consultation",
            "resource_type": "case",
            "resource_id": f"c{seq}",
            "purpose": "investigation",
            "outcome": "allowed",
        }
        for seq in range(1, count + 1)
    ]


def _links(
    records: list[dict[str, Any]], seals: list[Seal]
) -> list[tuple[Seal, Mapping[str, Any] | None]]:
    by_seq = {record["seq"]: record for record in records}
    return [(seal, by_seq.get(seal.record_seq)) for seal in seals]


def _sealed(count: int) -> tuple[list[dict[str, Any]], list[Seal]]:
    records = _records(count)
    return records, seal_records(records, Head(), origin=ORIGIN, key_id="k1", key=KEY)


def test_an_untouched_chain_verifies_to_its_head() -> None:
    records, seals = _sealed(5)
    walk = walk_chain(_links(records, seals), origin=ORIGIN, keys=KEYS, remember=frozenset({3}))
    assert walk.broken is None
    assert walk.head == Head(5, seals[-1].mac, (105, 5))
    assert walk.macs_at == {3: seals[2].mac}


def test_sealing_continues_from_a_head_as_if_sealed_at_once() -> None:
    records, seals = _sealed(5)
    first = seal_records(records[:2], Head(), origin=ORIGIN, key_id="k1", key=KEY)
    rest = seal_records(records[2:], Head(2, first[-1].mac), origin=ORIGIN, key_id="k1", key=KEY)
    assert first + rest == seals


def test_editing_a_record_is_a_mac_mismatch_at_its_index() -> None:
    records, seals = _sealed(5)
    records[2]["actor_name"] = "someone"
    walk = walk_chain(_links(records, seals), origin=ORIGIN, keys=KEYS)
    assert walk.broken is not None
    assert (walk.broken.chain_index, walk.broken.kind, walk.broken.seq) == (3, EDIT, 3)
    assert walk.head.size == 2


def test_a_missing_index_or_a_missing_record_is_a_deletion() -> None:
    records, seals = _sealed(5)
    walk = walk_chain(_links(records, seals[:2] + seals[3:]), origin=ORIGIN, keys=KEYS)
    assert walk.broken is not None and (walk.broken.chain_index, walk.broken.kind) == (3, DELETION)
    del records[3]
    walk = walk_chain(_links(records, seals), origin=ORIGIN, keys=KEYS)
    assert walk.broken is not None
    assert (walk.broken.chain_index, walk.broken.kind, walk.broken.seq) == (4, DELETION, 4)


def test_resealing_with_another_key_under_the_same_id_breaks_the_first_resealed_index() -> None:
    records, seals = _sealed(5)
    records[1]["resource_id"] = "forged"
    forged = seal_records(
        records[1:], Head(1, seals[0].mac, (101, 1)), origin=ORIGIN, key_id="k1", key=b"x" * 32
    )
    walk = walk_chain(_links(records, seals[:1] + forged), origin=ORIGIN, keys=KEYS)
    assert walk.broken is not None and (walk.broken.chain_index, walk.broken.kind) == (2, EDIT)


def test_records_sealed_out_of_order_are_a_reorder_even_with_the_key() -> None:
    records, _ = _sealed(4)
    shuffled = [records[0], records[2], records[1], records[3]]
    seals = seal_records(shuffled, Head(), origin=ORIGIN, key_id="k1", key=KEY)
    walk = walk_chain(_links(records, seals), origin=ORIGIN, keys=KEYS)
    assert walk.broken is not None
    assert (walk.broken.chain_index, walk.broken.kind, walk.broken.seq) == (3, REORDER, 2)


def test_a_chain_from_another_origin_does_not_verify() -> None:
    records, seals = _sealed(2)
    walk = walk_chain(_links(records, seals), origin="fieldapp/production/db", keys=KEYS)
    assert walk.broken is not None and (walk.broken.chain_index, walk.broken.kind) == (1, EDIT)


def test_rotated_keys_verify_while_both_are_known_and_not_after() -> None:
    records = _records(4)
    old = seal_records(records[:2], Head(), origin=ORIGIN, key_id="k1", key=KEY)
    new = seal_records(
        records[2:], Head(2, old[-1].mac, (102, 2)), origin=ORIGIN, key_id="k2", key=b"n" * 32
    )
    links = _links(records, old + new)
    both = walk_chain(links, origin=ORIGIN, keys={"k2": b"n" * 32, "k1": KEY})
    assert both.broken is None and both.head.size == 4
    walk = walk_chain(links, origin=ORIGIN, keys={"k2": b"n" * 32})
    assert walk.broken is not None and (walk.broken.chain_index, walk.broken.kind) == (
        1,
        UNKNOWN_KEY,
    )


def test_the_mac_binds_index_key_id_and_previous_mac() -> None:
    digest = record_digest(_records(1)[0])
    base = {"origin": ORIGIN, "index": 1, "key_id": "k1", "previous_mac": "0" * 64}
    mac = chain_mac(KEY, digest=digest, **base)  # type: ignore[arg-type]
    for change in ({"index": 2}, {"key_id": "k2"}, {"previous_mac": "1" * 64}):
        assert chain_mac(KEY, digest=digest, **{**base, **change}) != mac  # type: ignore[arg-type]


def test_the_digest_covers_every_sealed_field() -> None:
    record = _records(1)[0]
    digest = record_digest(record)
    for field, value in (("xid", 1), ("seq", 9), ("reason", "x"), ("outcome", "denied")):
        assert record_digest({**record, field: value}) != digest
