"""The audit ledger's keys and settings: HMAC keys for the chain, an Ed25519 key for checkpoints.

None of them is in the database. Web servers only append records and need none of them; the
sealer needs the current HMAC key and the signing key, ``audit verify`` every HMAC key still in
use and the public key. In development they are generated once into the instance folder
(``audit-keys.json``, mode 0600); in production they must be given:

- ``FIELDAPP_AUDIT_HMAC_KEYS``: ``id:base64key[,id:base64key...]``, the current key first;
  older ones stay listed (verify only) while their seals exist. Each at least 32 bytes.
- ``FIELDAPP_AUDIT_SIGNING_KEY``: the base64 32-byte Ed25519 private key (sealer, verify);
  ``FIELDAPP_AUDIT_VERIFY_KEY``: the base64 public key, enough to check checkpoints.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy.engine import make_url

from fieldapp.config import MIN_SECRET_BYTES, PREFIX, ConfigurationError

DEV_KEYS_FILE = "audit-keys.json"


def ledger_settings(env: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """The ledger's settings from FIELDAPP_AUDIT_* (keys stay text until they are needed)."""
    return {
        "AUDIT_ORIGIN": env.get(PREFIX + "AUDIT_ORIGIN", ""),
        "AUDIT_HMAC_KEYS": env.get(PREFIX + "AUDIT_HMAC_KEYS", ""),
        "AUDIT_SIGNING_KEY": env.get(PREFIX + "AUDIT_SIGNING_KEY", ""),
        "AUDIT_VERIFY_KEY": env.get(PREFIX + "AUDIT_VERIFY_KEY", ""),
        "AUDIT_CHECKPOINT_PATH": env.get(PREFIX + "AUDIT_CHECKPOINT_PATH")
        or str(instance_path / "audit-checkpoints.txt"),
        "AUDIT_SEAL_INTERVAL_SECONDS": float(
            env.get(PREFIX + "AUDIT_SEAL_INTERVAL_SECONDS", "0.5")
        ),
        "AUDIT_CHECKPOINT_SECONDS": int(env.get(PREFIX + "AUDIT_CHECKPOINT_SECONDS", "60")),
        "AUDIT_SEAL_DEADLINE_SECONDS": int(env.get(PREFIX + "AUDIT_SEAL_DEADLINE_SECONDS", "30")),
    }


@dataclass(frozen=True)
class LedgerKeys:
    """What the sealer and verify need: origin, HMAC keys (current first), Ed25519 keys, file."""

    origin: str
    key_id: str
    hmac_keys: dict[str, bytes]
    signing_key: Ed25519PrivateKey | None
    verify_key: Ed25519PublicKey
    checkpoint_path: Path

    @property
    def current_key(self) -> bytes:
        """The HMAC key new seals use."""
        return self.hmac_keys[self.key_id]


def default_origin(config: Mapping[str, Any]) -> str:
    """``fieldapp/<env>/<database name>``: a staging checkpoint never passes in production."""
    database = make_url(config["DATABASE_URL"]).database or "memory"
    return f"fieldapp/{config['ENV_NAME']}/{Path(database).name}"


def load_ledger_keys(config: Mapping[str, Any], instance_path: Path) -> LedgerKeys:
    """The ledger's keys from the configuration, or (in development) the instance folder."""
    hmac_text, signing_text = config["AUDIT_HMAC_KEYS"], config["AUDIT_SIGNING_KEY"]
    if not hmac_text or not (signing_text or config["AUDIT_VERIFY_KEY"]):
        if config["ENV_NAME"] == "production":
            raise ConfigurationError(
                f"The audit sealer and verify need {PREFIX}AUDIT_HMAC_KEYS and "
                f"{PREFIX}AUDIT_SIGNING_KEY (or {PREFIX}AUDIT_VERIFY_KEY) in production."
            )
        generated = _development_keys(instance_path)
        hmac_text = hmac_text or generated["hmac_keys"]
        signing_text = signing_text or generated["signing_key"]
    hmac_keys = _parse_hmac_keys(hmac_text)
    signing_key = (
        Ed25519PrivateKey.from_private_bytes(_decode(signing_text, "AUDIT_SIGNING_KEY"))
        if signing_text
        else None
    )
    verify_key = (
        Ed25519PublicKey.from_public_bytes(_decode(config["AUDIT_VERIFY_KEY"], "AUDIT_VERIFY_KEY"))
        if config["AUDIT_VERIFY_KEY"]
        else None
    )
    if verify_key is None:
        if signing_key is None:
            raise ConfigurationError(f"{PREFIX}AUDIT_VERIFY_KEY or _SIGNING_KEY is needed.")
        verify_key = signing_key.public_key()
    return LedgerKeys(
        origin=config["AUDIT_ORIGIN"] or default_origin(config),
        key_id=next(iter(hmac_keys)),
        hmac_keys=hmac_keys,
        signing_key=signing_key,
        verify_key=verify_key,
        checkpoint_path=Path(config["AUDIT_CHECKPOINT_PATH"]),
    )


def _decode(text: str, name: str) -> bytes:
    """Base64 text to bytes, naming the setting when it is not base64."""
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise ConfigurationError(f"{PREFIX}{name} is not valid base64") from exc


def _parse_hmac_keys(text: str) -> dict[str, bytes]:
    """``id:base64key,...`` to an ordered mapping (current first), refusing short keys."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key_id, _, encoded = item.partition(":")
        key = _decode(encoded, "AUDIT_HMAC_KEYS")
        if not key_id or len(key_id) > 32 or len(key) < MIN_SECRET_BYTES:
            raise ConfigurationError(
                f"{PREFIX}AUDIT_HMAC_KEYS needs id:base64key items, ids up to 32 characters, "
                f"keys of at least {MIN_SECRET_BYTES} bytes."
            )
        keys[key_id] = key
    if not keys:
        raise ConfigurationError(f"{PREFIX}AUDIT_HMAC_KEYS is empty.")
    return keys


def _development_keys(instance_path: Path) -> dict[str, str]:
    """Development keys, generated once into the instance folder with mode 0600."""
    path = instance_path / DEV_KEYS_FILE
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return stored
    private = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    generated = {
        "hmac_keys": "dev-1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "signing_key": base64.b64encode(private).decode(),
    }
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made them first: use theirs
        return _development_keys(instance_path)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(generated, handle)
    return generated
