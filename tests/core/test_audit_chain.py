"""The audit hash chain seals records and finds the first tampered one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fieldapp.core.audit_chain import GENESIS_HASH, seal, verify


def _chain(count: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    previous = GENESIS_HASH
    for seq in range(1, count + 1):
        record: dict[str, Any] = {
            "seq": seq,
            "occurred_at": datetime(2026, 11, 29, 9, seq, tzinfo=UTC),
            "actor_id": "u1",
            "actor_name": "pc.one",
            "session_id": "s1",
            "operation": "consultation",
            "resource_type": "case",
            "resource_id": f"c{seq}",
            "field_groups": None,
            "purpose": "investigation",
            "outcome": "allowed",
            "request_id": f"r{seq}",
        }
        record["prev_hash"] = previous
        record["hash"] = previous = seal(record, previous)
        records.append(record)
    return records


def test_an_untouched_chain_verifies() -> None:
    assert verify(_chain(5)) == (5, None)


def test_an_empty_chain_verifies() -> None:
    assert verify([]) == (0, None)


def test_editing_a_field_breaks_that_record() -> None:
    records = _chain(5)
    records[2]["resource_id"] = "someone-else"
    checked, broken = verify(records)
    assert checked == 2
    assert broken is not None and broken.seq == 3
    assert "content" in broken.reason


def test_resealing_an_edited_record_breaks_the_next_link() -> None:
    records = _chain(5)
    records[2]["actor_name"] = "pc.two"
    records[2]["hash"] = seal(records[2], records[2]["prev_hash"])
    checked, broken = verify(records)
    assert (checked, broken.seq if broken else None) == (3, 4)


def test_deleting_a_record_is_a_sequence_gap() -> None:
    records = _chain(5)
    del records[1]
    checked, broken = verify(records)
    assert checked == 1
    assert broken is not None and broken.seq == 3 and "jumps" in broken.reason
