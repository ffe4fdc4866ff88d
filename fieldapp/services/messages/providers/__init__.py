"""Delivery providers: what a delivery worker hands a queued message to.

A provider sends one message and answers whether a message with our reference was already
accepted (asked after a worker died mid-send, so that a reclaimed message is not sent twice).
Failures are either temporary (retry later) or permanent (the message can never go).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fieldapp.services.messages.providers.contract import (
    DeliveryError,
    DeliveryProvider,
    DeliveryState,
    PermanentFailure,
    ProviderNotConfigured,
    ProviderReceipt,
    TemporaryFailure,
    reference_of,
)

__all__ = [
    "DeliveryError",
    "DeliveryProvider",
    "DeliveryState",
    "PermanentFailure",
    "ProviderNotConfigured",
    "ProviderReceipt",
    "TemporaryFailure",
    "provider_from_config",
    "reference_of",
]


def provider_from_config(config: Mapping[str, Any]) -> DeliveryProvider | None:
    """The configured provider, or None when messages are sent by hand (``manual``)."""
    name = config["MESSAGE_PROVIDER"]
    if name == "manual":
        return None
    if name == "notify":
        # Imported here: the web processes (manual or not) never need the HTTP client.
        from fieldapp.services.messages.providers.notify import notify_from_config

        return notify_from_config(config)
    raise ProviderNotConfigured(f"unknown MESSAGE_PROVIDER {name!r}: use 'manual' or 'notify'")
