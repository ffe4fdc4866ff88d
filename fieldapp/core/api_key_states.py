"""An API key's state, from its dates and its user: the one rule both sign-in and admins read.

A key works only while it is live. Revocation is final and named first; a key whose user is
disabled stops working but comes back if the account is enabled again, so it is named apart.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class KeyState(StrEnum):
    """Whether a key works now and, if not, why not (the value is how people read it)."""

    LIVE = "Live"
    REVOKED = "Revoked"
    EXPIRED = "Expired"
    USER_DISABLED = "User disabled"


def key_state(
    *,
    revoked_at: datetime | None,
    expires_at: datetime | None,
    user_disabled: bool,
    now: datetime,
) -> KeyState:
    """The state of a key at ``now``: revoked, else user disabled, else expired, else live."""
    if revoked_at is not None:
        return KeyState.REVOKED
    if user_disabled:
        return KeyState.USER_DISABLED
    if expires_at is not None and expires_at <= now:
        return KeyState.EXPIRED
    return KeyState.LIVE
