"""Webhook signatures: HMAC-SHA256 over ``"<unix seconds>.<raw body>"``, and their verification.

A delivery carries ``Fieldapp-Signature: t=<unix seconds>,v1=<hex digest>``. The receiver
recomputes the digest with the subscription's secret over the timestamp, a dot and the body
exactly as received, compares in constant time, and refuses a timestamp outside its replay
window (a captured delivery cannot be sent again later). ``verify`` is the receiver's side,
pure and standalone, so integrators may copy it (docs/webhooks.md).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Fieldapp-Signature"
EVENT_ID_HEADER = "Fieldapp-Event-Id"
EVENT_TYPE_HEADER = "Fieldapp-Event-Type"
#: How far (seconds) a receiver should accept a timestamp from its own clock, either way.
DEFAULT_TOLERANCE = 300


def signature_digest(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under the secret."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Fieldapp-Signature`` header value for a body sent at ``timestamp``."""
    return f"t={timestamp},v1={signature_digest(secret, timestamp, body)}"


def verify(
    secret: str, header: str, body: bytes, *, now: int, tolerance: int = DEFAULT_TOLERANCE
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within ``tolerance`` of now.

    Several ``v1`` values may be given (a sender rotating its secret); one match is enough.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates or abs(now - timestamp) > tolerance:
        return False
    expected = signature_digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
