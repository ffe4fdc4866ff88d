"""What a delivery provider is: the protocol, its receipt, its failures and our reference.

Kept apart from the package's ``provider_from_config`` so that a provider module (``notify``)
imports this vocabulary without importing the package that late-imports it: no import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

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
