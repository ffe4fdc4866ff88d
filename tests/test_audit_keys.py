"""The ledger's keys come from configuration, or the instance folder in development only."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fieldapp.audit_keys import ledger_settings, load_ledger_keys
from fieldapp.config import ConfigurationError


def _config(tmp_path: Path, env_name: str = "development", **env: str) -> dict[str, Any]:
    settings = ledger_settings({f"FIELDAPP_{k}": v for k, v in env.items()}, tmp_path)
    return {**settings, "ENV_NAME": env_name, "DATABASE_URL": "postgresql://db-host/force_db"}


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_development_keys_are_generated_once_into_the_instance_folder(tmp_path: Path) -> None:
    first = load_ledger_keys(_config(tmp_path), tmp_path)
    again = load_ledger_keys(_config(tmp_path), tmp_path)
    assert first.hmac_keys == again.hmac_keys and len(first.current_key) == 32
    assert (tmp_path / "audit-keys.json").stat().st_mode & 0o777 == 0o600
    assert first.origin == "fieldapp/development/force_db"
    assert first.checkpoint_path == tmp_path / "audit-checkpoints.txt"


def test_production_refuses_to_seal_or_verify_without_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="AUDIT_HMAC_KEYS"):
        load_ledger_keys(_config(tmp_path, "production"), tmp_path)
    assert not (tmp_path / "audit-keys.json").exists()


def test_configured_keys_rotate_with_the_current_first_and_verify_needs_only_the_public_key(
    tmp_path: Path,
) -> None:
    public = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    config = _config(
        tmp_path,
        "production",
        AUDIT_HMAC_KEYS=f"2027:{_b64(b'n' * 32)},2026:{_b64(b'o' * 32)}",
        AUDIT_VERIFY_KEY=_b64(public),
    )
    keys = load_ledger_keys(config, tmp_path)
    assert keys.key_id == "2027" and list(keys.hmac_keys) == ["2027", "2026"]
    assert keys.signing_key is None
    assert keys.verify_key.public_bytes(Encoding.Raw, PublicFormat.Raw) == public


def test_short_or_malformed_hmac_keys_are_refused(tmp_path: Path) -> None:
    signing = _b64(b"s" * 32)
    for bad in (f"k:{_b64(b'short')}", "k:not base64!", f":{_b64(b'x' * 32)}"):
        config = _config(tmp_path, "production", AUDIT_HMAC_KEYS=bad, AUDIT_SIGNING_KEY=signing)
        with pytest.raises(ConfigurationError):
            load_ledger_keys(config, tmp_path)
