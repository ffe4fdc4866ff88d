"""The keyed audit chain: each seal is an HMAC over the previous seal and one record's digest.

``mac_n = HMAC-SHA256(K[key_id], "audit-v1" | origin | n | key_id | mac_{n-1} | SHA-256(record))``
with every part length-prefixed, so no two inputs encode alike. Binding n and the previous MAC
exposes deletion and reordering; binding the key id stops key substitution; binding the origin
stops a staging chain passing in production. The key lives outside the database, so whoever
holds only the database cannot re-seal. Pure functions over plain mappings: the sealer and
``audit verify`` run the same code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: The chain format. Changing the encoding below means a new version, never a silent change.
CHAIN_VERSION = b"audit-v1"
GENESIS_MAC = "0" * 64

#: The record fields a seal covers (seq and xid fix its place). Adding one is a new version.
RECORD_FIELDS = (
    "seq",
    "xid",
    "occurred_at",
    "actor_id",
    "actor_name",
    "session_id",
    "api_key_id",
    "client_address",
    "purpose",
    "request_id",
    "operation",
    "resource_type",
    "resource_id",
    "field_groups",
    "outcome",
    "reason",
)

# What verify names as the kind of break.
DELETION = "deletion"
EDIT = "edit or re-seal without the key"
REORDER = "reorder"
UNKNOWN_KEY = "unknown key"


def _plain(value: Any) -> Any:
    """A JSON-able form: datetimes as UTC ISO text, ids as text."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def record_digest(record: Mapping[str, Any]) -> bytes:
    """SHA-256 of the record's sealed fields in a canonical JSON encoding."""
    body = {name: _plain(record.get(name)) for name in RECORD_FIELDS}
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(encoded.encode("ascii")).digest()


def chain_mac(
    key: bytes, *, origin: str, index: int, key_id: str, previous_mac: str, digest: bytes
) -> str:
    """The hex MAC of chain position ``index`` over the previous MAC and a record digest."""
    parts = (
        CHAIN_VERSION,
        origin.encode(),
        str(index).encode(),
        key_id.encode(),
        bytes.fromhex(previous_mac),
        digest,
    )
    message = b"".join(len(part).to_bytes(4, "big") + part for part in parts)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Seal:
    """One link: chain position, the record it seals, the key used and the MAC."""

    chain_index: int
    record_seq: int
    key_id: str
    mac: str


@dataclass(frozen=True)
class Head:
    """The end of the chain: how many seals, the last MAC, the last record's place."""

    size: int = 0
    mac: str = GENESIS_MAC
    position: tuple[int, int] = (-1, -1)  # (xid, seq) of the last sealed record


def seal_records(
    records: Sequence[Mapping[str, Any]], head: Head, *, origin: str, key_id: str, key: bytes
) -> list[Seal]:
    """Seals for ``records`` (already in (xid, seq) order) continuing the chain from ``head``."""
    seals = []
    previous, index = head.mac, head.size
    for record in records:
        index += 1
        previous = chain_mac(
            key,
            origin=origin,
            index=index,
            key_id=key_id,
            previous_mac=previous,
            digest=record_digest(record),
        )
        seals.append(Seal(index, int(record["seq"]), key_id, previous))
    return seals


@dataclass(frozen=True)
class Break:
    """The first place the chain is broken, and what kind of break it is."""

    chain_index: int
    kind: str
    detail: str
    seq: int | None = None


@dataclass
class Walk:
    """What a verified walk found: the verified head, the MACs asked for, the first break."""

    head: Head
    macs_at: dict[int, str]
    broken: Break | None = None


def walk_chain(
    links: Iterable[tuple[Seal, Mapping[str, Any] | None]],
    *,
    origin: str,
    keys: Mapping[str, bytes],
    remember: frozenset[int] = frozenset(),
) -> Walk:
    """Check links in chain order (a seal and its record, None if gone); stop at the first break.

    ``remember`` names chain sizes whose MAC the caller wants (to compare with checkpoints).
    """
    walk = Walk(Head(), {})
    for seal, record in links:
        broken = _check_link(walk.head, seal, record, origin=origin, keys=keys)
        if broken is not None:
            walk.broken = broken
            return walk
        assert record is not None
        walk.head = Head(seal.chain_index, seal.mac, (int(record["xid"]), seal.record_seq))
        if seal.chain_index in remember:
            walk.macs_at[seal.chain_index] = seal.mac
    return walk


def _check_link(
    head: Head,
    seal: Seal,
    record: Mapping[str, Any] | None,
    *,
    origin: str,
    keys: Mapping[str, bytes],
) -> Break | None:
    """The break at this link, if any: deletion, reorder, unknown key or a MAC mismatch."""
    expected = head.size + 1
    if seal.chain_index != expected:
        return Break(expected, DELETION, f"chain index {expected} is missing")
    if record is None:
        return Break(
            expected, DELETION, f"sealed record {seal.record_seq} is gone", seal.record_seq
        )
    position = (int(record["xid"]), seal.record_seq)
    if position <= head.position:
        return Break(
            expected,
            REORDER,
            f"record {seal.record_seq} is sealed after a later one",
            seal.record_seq,
        )
    key = keys.get(seal.key_id)
    if key is None:
        return Break(expected, UNKNOWN_KEY, f"no key {seal.key_id!r} to check it", seal.record_seq)
    mac = chain_mac(
        key,
        origin=origin,
        index=expected,
        key_id=seal.key_id,
        previous_mac=head.mac,
        digest=record_digest(record),
    )
    if not hmac.compare_digest(mac, seal.mac):
        return Break(
            expected, EDIT, f"MAC of record {seal.record_seq} does not match", seal.record_seq
        )
    return None
