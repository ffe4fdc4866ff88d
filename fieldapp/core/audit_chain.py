"""The tamper-evident audit chain: each record's hash covers its content and the previous hash.

Pure functions over plain mappings, so the same code seals records as they are written and
verifies the chain later, on any database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64

#: The fields a record's hash covers, in order. Adding one is a new chain format.
SEALED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_name",
    "session_id",
    "operation",
    "resource_type",
    "resource_id",
    "field_groups",
    "purpose",
    "outcome",
    "request_id",
    "api_key_id",
    "client_address",
    "reason",
)


def _canonical(value: Any) -> Any:
    """Plain JSON-able form: datetimes as UTC ISO text, everything else as given."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return value


def seal(record: Mapping[str, Any], previous_hash: str) -> str:
    """The SHA-256 of the previous hash and the record's sealed fields, canonically encoded."""
    body = {name: _canonical(record.get(name)) for name in SEALED_FIELDS}
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous_hash}|{payload}".encode()).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    """The first record whose stored hashes do not match the chain."""

    seq: int
    reason: str


def verify(records: Iterable[Mapping[str, Any]]) -> tuple[int, BrokenLink | None]:
    """Walk records in sequence order; return how many were checked and the first break."""
    previous = GENESIS_HASH
    expected_seq: int | None = None
    checked = 0
    for record in records:
        seq = int(record["seq"])
        if expected_seq is not None and seq != expected_seq:
            return checked, BrokenLink(seq, f"sequence jumps from {expected_seq - 1} to {seq}")
        if record["prev_hash"] != previous:
            return checked, BrokenLink(seq, "prev_hash does not match the previous record")
        if record["hash"] != seal(record, previous):
            return checked, BrokenLink(seq, "hash does not match the record's content")
        previous = str(record["hash"])
        expected_seq = seq + 1
        checked += 1
    return checked, None
