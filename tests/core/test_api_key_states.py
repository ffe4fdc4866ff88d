"""An API key's state: revoked wins, then a disabled user, then expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fieldapp.core.api_key_states import KeyState, key_state

NOW = datetime(2026, 6, 4, 9, 32, tzinfo=UTC)
BEFORE = NOW - timedelta(seconds=1)
AFTER = NOW + timedelta(seconds=1)


@pytest.mark.parametrize(
    ("revoked_at", "expires_at", "user_disabled", "expected"),
    [
        (None, None, False, KeyState.LIVE),
        (None, AFTER, False, KeyState.LIVE),
        (None, NOW, False, KeyState.EXPIRED),
        (None, BEFORE, False, KeyState.EXPIRED),
        (None, BEFORE, True, KeyState.USER_DISABLED),
        (None, None, True, KeyState.USER_DISABLED),
        (BEFORE, None, False, KeyState.REVOKED),
        (BEFORE, BEFORE, True, KeyState.REVOKED),
    ],
)
def test_key_state_names_the_first_reason_a_key_does_not_work(
    revoked_at: datetime | None,
    expires_at: datetime | None,
    user_disabled: bool,
    expected: KeyState,
) -> None:
    state = key_state(
        revoked_at=revoked_at, expires_at=expires_at, user_disabled=user_disabled, now=NOW
    )
    assert state is expected


def test_key_states_read_as_words() -> None:
    assert [str(state) for state in KeyState] == ["Live", "Revoked", "Expired", "User disabled"]
