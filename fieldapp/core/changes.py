"""What a submitted form would really change: the fields whose value differs from the record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def changed_fields(current: Mapping[str, Any], submitted: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted fields that differ from ``current``; a field ``current`` lacks has changed."""
    # Saving a value unchanged is not a change: for a role or a team it would still end
    # every session of the account and leave an audit record of a change that never was.
    return {
        name: value
        for name, value in submitted.items()
        if name not in current or current[name] != value
    }
