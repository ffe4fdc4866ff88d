"""The shared field types: UTC date-times as Power Platform and phones send them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from marshmallow import ValidationError, fields

from fieldapp.core.text import UNSTORABLE_TEXT_MESSAGE
from fieldapp.schemas.base import ApiDate, ApiSchema, UtcDateTime


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


@pytest.mark.parametrize(
    "text",
    ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "1899-12-31T23:59:59Z"],
)
def test_utc_date_time_refuses_times_outside_the_range_before_converting(text: str) -> None:
    with pytest.raises(ValidationError, match="between 1900-01-01 and 2999-12-31"):
        UtcDateTime().deserialize(text)


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "3000-01-01"])
def test_api_date_refuses_dates_outside_the_range(text: str) -> None:
    with pytest.raises(ValidationError, match="between 1900-01-01 and 2999-12-31"):
        ApiDate().deserialize(text)


def test_api_schema_names_every_nested_field_holding_a_nul_or_a_lone_surrogate() -> None:
    class Inner(ApiSchema):
        note = fields.String()

    class Outer(ApiSchema):
        name = fields.String()
        tags = fields.List(fields.String())
        inner = fields.Nested(Inner)
        details = fields.Dict()

    with pytest.raises(ValidationError) as raised:
        Outer().load(
            {
                "name": "ok",
                "tags": ["fine", "bad\x00"],
                "inner": {"note": "\ud800"},
                "details": {"k\x00ey": "v"},
            }
        )
    assert raised.value.messages == {
        "tags.1": [UNSTORABLE_TEXT_MESSAGE],
        "inner.note": [UNSTORABLE_TEXT_MESSAGE],
        "details": [UNSTORABLE_TEXT_MESSAGE],
    }
