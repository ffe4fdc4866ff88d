"""Signed checkpoints of the audit chain, in the C2SP signed-note shape, kept outside the database.

A checkpoint's body is the origin line, the chain size, the base64 head MAC and a ``time``
line; an Ed25519 signature line follows a blank line (``— <name> base64(key hash | sig)``).
Checking one needs only the public key. Checkpoints tell ``audit verify`` what the chain was
at a past moment, so truncating or re-sealing it (even with the HMAC key) shows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fieldapp.core.audit_chain import Break

SIGNATURE_MARK = "\u2014 "
SIGNATURE = "bad checkpoint signature"
TRUNCATION = "truncation"
FORK = "head does not match a checkpoint (re-seal or fork)"
BACKWARDS = "checkpoint size fell"


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement: the chain of ``origin`` had ``size`` seals ending in ``head_mac``."""

    origin: str
    size: int
    head_mac: str  # hex
    time: datetime


class CheckpointError(ValueError):
    """A checkpoint that cannot be read or whose signature does not verify."""


def key_hash(name: str, public_key: Ed25519PublicKey) -> bytes:
    """The C2SP signed-note key hash: SHA-256(name | 0x0A | 0x01 | public key)[:4]."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(name.encode() + b"\n\x01" + raw).digest()[:4]


def _body(checkpoint: Checkpoint) -> str:
    """The signed text of a checkpoint."""
    head = base64.b64encode(bytes.fromhex(checkpoint.head_mac)).decode()
    when = checkpoint.time.isoformat(timespec="seconds")
    return f"{checkpoint.origin}\n{checkpoint.size}\n{head}\ntime {when}\n"


def sign_checkpoint(checkpoint: Checkpoint, private_key: Ed25519PrivateKey) -> str:
    """The checkpoint as a signed note, ending in a newline."""
    body = _body(checkpoint)
    signature = key_hash(checkpoint.origin, private_key.public_key()) + private_key.sign(
        body.encode()
    )
    encoded = base64.b64encode(signature).decode()
    return f"{body}\n{SIGNATURE_MARK}{checkpoint.origin} {encoded}\n"


def parse_notes(text: str, public_key: Ed25519PublicKey) -> list[Checkpoint]:
    """Every checkpoint in a file of signed notes (each followed by a blank line), verified."""
    blocks = [block for block in text.split("\n\n") if block.strip()]
    if len(blocks) % 2:
        raise CheckpointError("the checkpoint file ends in an unsigned checkpoint")
    return [
        _verified(blocks[at] + "\n", blocks[at + 1], public_key, number=at // 2 + 1)
        for at in range(0, len(blocks), 2)
    ]


def _verified(
    body: str, signature_line: str, public_key: Ed25519PublicKey, *, number: int
) -> Checkpoint:
    """One checkpoint, after checking its signature with the public key."""
    try:
        origin, size, head, when = body.rstrip("\n").split("\n")
        mark, name, encoded = signature_line.strip().split(" ")
        signature = base64.b64decode(encoded, validate=True)
        checkpoint = Checkpoint(
            origin=origin,
            size=int(size),
            head_mac=base64.b64decode(head, validate=True).hex(),
            time=datetime.fromisoformat(when.removeprefix("time ")),
        )
    except (ValueError, binascii.Error) as exc:
        raise CheckpointError(f"checkpoint {number} is malformed") from exc
    if mark + " " != SIGNATURE_MARK or name != origin:
        raise CheckpointError(f"checkpoint {number} is not signed for {origin}")
    if signature[:4] != key_hash(name, public_key):
        raise CheckpointError(f"checkpoint {number} is signed by another key")
    try:
        public_key.verify(signature[4:], body.encode())
    except InvalidSignature as exc:
        raise CheckpointError(f"checkpoint {number} has a bad signature") from exc
    return checkpoint


def check_against(
    checkpoints: Iterable[Checkpoint], *, origin: str, size: int, macs_at: dict[int, str]
) -> Break | None:
    """The first checkpoint the chain contradicts: shorter than it, or another MAC at its size.

    ``macs_at`` holds the chain's MAC at each checkpointed size (from ``walk_chain``).
    """
    largest = matched = 0
    for checkpoint in checkpoints:
        if checkpoint.origin != origin:
            continue
        if checkpoint.size < largest:
            return Break(checkpoint.size, BACKWARDS, f"a later checkpoint says {checkpoint.size}")
        largest = checkpoint.size
        if checkpoint.size > size:
            detail = f"chain has {size} seals, the checkpoint of {checkpoint.time} has {largest}"
            return Break(size + 1, TRUNCATION, detail)
        if checkpoint.size and macs_at.get(checkpoint.size) != checkpoint.head_mac:
            detail = (
                f"chain index {checkpoint.size} differs from the checkpoint of {checkpoint.time}: "
                f"re-sealed after chain index {matched}"
            )
            return Break(checkpoint.size, FORK, detail)
        matched = checkpoint.size
    return None


def sizes_of(checkpoints: Sequence[Checkpoint]) -> frozenset[int]:
    """The chain sizes the checkpoints name."""
    return frozenset(checkpoint.size for checkpoint in checkpoints)
