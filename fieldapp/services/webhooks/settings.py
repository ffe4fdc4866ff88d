"""Webhook settings from the app's configuration, and the cipher that keeps signing secrets."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from fieldapp.core.webhook_backoff import Backoff

#: Changing this label (or SECRET_KEY) makes every stored secret unreadable: rotate them then.
_KEY_LABEL = b"fieldapp webhook signing secrets v1"


class SecretCipher:
    """Encrypts webhook signing secrets at rest with a key derived from ``SECRET_KEY``."""

    def __init__(self, secret_key: str) -> None:
        """Derive the Fernet key (HKDF-SHA256) from the app's secret key."""
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_LABEL).derive(
            secret_key.encode("utf-8")
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, secret: str) -> str:
        """The stored form of a secret."""
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str | None:
        """The secret, or None if it was encrypted under another key (SECRET_KEY changed)."""
        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            return None


@dataclass(frozen=True)
class WebhookSettings:
    """Everything the webhook services read from the configuration."""

    cipher: SecretCipher
    allow_loopback: bool = False
    timeout: float = 5.0
    lease: timedelta = timedelta(seconds=60)
    backoff: Backoff = field(default_factory=Backoff)
    disable_after_failures: int = 15
    disable_after: timedelta = timedelta(hours=24)
    due_soon: timedelta = timedelta(hours=48)
    scan_lookback: timedelta = timedelta(hours=24)
    scan_interval: timedelta = timedelta(seconds=60)


def settings_from_config(config: Mapping[str, Any]) -> WebhookSettings:
    """Webhook settings from FIELDAPP_WEBHOOK_* (see fieldapp.config.webhook_settings)."""
    timeout = float(config["WEBHOOK_TIMEOUT_SECONDS"])
    settings = WebhookSettings(
        cipher=SecretCipher(config["SECRET_KEY"]),
        allow_loopback=bool(config["WEBHOOK_ALLOW_HTTP_LOOPBACK"]),
        timeout=timeout,
        lease=timedelta(seconds=int(config["WEBHOOK_LEASE_SECONDS"])),
        backoff=Backoff(
            base=timedelta(seconds=int(config["WEBHOOK_BACKOFF_BASE_SECONDS"])),
            cap=timedelta(seconds=int(config["WEBHOOK_BACKOFF_CAP_SECONDS"])),
            max_attempts=int(config["WEBHOOK_MAX_ATTEMPTS"]),
        ),
        disable_after_failures=int(config["WEBHOOK_DISABLE_AFTER_FAILURES"]),
        disable_after=timedelta(hours=int(config["WEBHOOK_DISABLE_AFTER_HOURS"])),
        due_soon=timedelta(hours=int(config["DUE_SOON_HOURS"])),
        scan_lookback=timedelta(hours=int(config["WEBHOOK_SCAN_LOOKBACK_HOURS"])),
        scan_interval=timedelta(seconds=int(config["WEBHOOK_SCAN_SECONDS"])),
    )
    # A claim must outlast a connect and a read, with room to record the outcome.
    if settings.lease.total_seconds() < 4 * timeout or settings.backoff.max_attempts < 1:
        raise ValueError(
            "FIELDAPP_WEBHOOK_LEASE_SECONDS must be at least four times "
            "FIELDAPP_WEBHOOK_TIMEOUT_SECONDS, and FIELDAPP_WEBHOOK_MAX_ATTEMPTS at least 1"
        )
    return settings
