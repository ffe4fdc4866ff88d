"""Signed checkpoints: read back only with the right key, and they catch truncation and forks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldapp.core.audit_checkpoints import (
    BACKWARDS,
    FORK,
    TRUNCATION,
    Checkpoint,
    CheckpointError,
    check_against,
    parse_notes,
    sign_checkpoint,
)

KEY = Ed25519PrivateKey.generate()
ORIGIN = "fieldapp/test/ledger"
WHEN = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)


def _checkpoint(size: int, mac: str) -> Checkpoint:
    return Checkpoint(ORIGIN, size, mac, WHEN)


def test_signed_checkpoints_read_back_with_the_public_key() -> None:
    first, second = _checkpoint(3, "a" * 64), _checkpoint(5, "b" * 64)
    text = sign_checkpoint(first, KEY) + "\n" + sign_checkpoint(second, KEY) + "\n"
    assert text.startswith(f"{ORIGIN}\n3\n")
    assert parse_notes(text, KEY.public_key()) == [first, second]


def test_an_edited_checkpoint_fails_its_signature() -> None:
    text = sign_checkpoint(_checkpoint(3, "a" * 64), KEY).replace("\n3\n", "\n2\n")
    with pytest.raises(CheckpointError, match="checkpoint 1 has a bad signature"):
        parse_notes(text, KEY.public_key())


def test_a_checkpoint_signed_by_another_key_is_refused() -> None:
    text = sign_checkpoint(_checkpoint(3, "a" * 64), Ed25519PrivateKey.generate())
    with pytest.raises(CheckpointError, match="another key"):
        parse_notes(text, KEY.public_key())


def test_a_chain_shorter_than_a_checkpoint_is_truncation() -> None:
    broken = check_against([_checkpoint(5, "b" * 64)], origin=ORIGIN, size=3, macs_at={})
    assert broken is not None and (broken.chain_index, broken.kind) == (4, TRUNCATION)


def test_another_mac_at_a_checkpointed_size_is_a_fork() -> None:
    checkpoints = [_checkpoint(3, "a" * 64), _checkpoint(5, "b" * 64)]
    assert (
        check_against(checkpoints, origin=ORIGIN, size=6, macs_at={3: "a" * 64, 5: "b" * 64})
        is None
    )
    broken = check_against(checkpoints, origin=ORIGIN, size=6, macs_at={3: "a" * 64, 5: "c" * 64})
    assert broken is not None and (broken.chain_index, broken.kind) == (5, FORK)
    assert "after chain index 3" in broken.detail


def test_checkpoints_whose_size_falls_are_refused() -> None:
    checkpoints = [_checkpoint(5, "b" * 64), _checkpoint(3, "a" * 64)]
    broken = check_against(checkpoints, origin=ORIGIN, size=6, macs_at={3: "a" * 64, 5: "b" * 64})
    assert broken is not None and broken.kind == BACKWARDS
