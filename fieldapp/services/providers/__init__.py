"""Delivery providers: what a delivery worker hands a queued message to.

A provider sends one message and answers whether a message with our reference was already
accepted (asked after a worker died mid-send, so that a reclaimed message is not sent twice).
Failures are either temporary (retry later) or permanent (the message can never go).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from fieldapp.models import Message

#: What a provider says about a message it accepted earlier.
DeliveryState = Literal["delivered", "failed", "pending"]


@dataclass(frozen=True)
class ProviderReceipt:
    """Proof that the provider accepted a message: our reference, its own id, and when."""

    reference: str
    provider_id: str
    accepted_at: datetime | None = None


class DeliveryError(Exception):
    """A provider could not take a message; the text is safe to store (no personal data)."""


class TemporaryFailure(DeliveryError):
    """Worth trying again later: a timeout, a server error, a rate limit."""


class PermanentFailure(DeliveryError):
    """Trying again cannot help: the provider refused the recipient or the content."""


class ProviderNotConfigured(RuntimeError):
    """The configured provider is missing a setting it needs."""


class DeliveryProvider(Protocol):
    """Anything that can send a message and be asked about it afterwards."""

    name: str

    def send(self, message: Message) -> ProviderReceipt:
        """Hand the message over; raise TemporaryFailure or PermanentFailure if it is not taken."""
        ...

    def find(self, reference: str) -> ProviderReceipt | None:
        """The receipt of an accepted message with this reference, if there is one."""
        ...

    def status(self, provider_id: str) -> DeliveryState:
        """Whether an accepted message reached the recipient, failed, or is still on its way."""
        ...


def reference_of(message: Message) -> str:
    """Our reference for a message at the provider: its id, which carries no personal data."""
    return str(message.id)


def provider_from_config(config: Mapping[str, Any]) -> DeliveryProvider | None:
    """The configured provider, or None when messages are sent by hand (``manual``)."""
    name = config["MESSAGE_PROVIDER"]
    if name == "manual":
        return None
    if name == "notify":
        # Imported here: the web processes (manual or not) never need the HTTP client.
        from fieldapp.services.providers.notify import notify_from_config

        return notify_from_config(config)
    raise ProviderNotConfigured(f"unknown MESSAGE_PROVIDER {name!r}: use 'manual' or 'notify'")
