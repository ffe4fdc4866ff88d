"""The shared field types: UTC date-times as Power Platform and phones send them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from marshmallow import ValidationError

from fieldapp.schemas.base import UtcDateTime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-29T10:00:00.123Z", datetime(2026, 11, 29, 10, 0, 0, 123000, tzinfo=UTC)),
        ("2026-11-29T10:00:00Z", datetime(2026, 11, 29, 10, 0, tzinfo=UTC)),
        ("2026-11-29T11:00:00.5+01:00", datetime(2026, 11, 29, 10, 0, 0, 500000, tzinfo=UTC)),
    ],
)
def test_utc_date_time_accepts_z_with_or_without_milliseconds(
    text: str, expected: datetime
) -> None:
    assert UtcDateTime().deserialize(text) == expected


def test_utc_date_time_refuses_a_time_without_a_zone() -> None:
    with pytest.raises(ValidationError):
        UtcDateTime().deserialize("2026-11-29T10:00:00.123")
