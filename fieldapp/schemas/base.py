"""The base schema and field types every API schema uses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_dump


class ApiSchema(Schema):
    """Refuses unknown fields (marshmallow's default) and omits empty values from output."""

    @post_dump
    def drop_none(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """Leave out absent values rather than send null: low-code clients prefer a stable type."""
        return {key: value for key, value in data.items() if value is not None}


class UtcDateTime(fields.DateTime):
    """RFC 3339 in UTC with ``Z``; input may carry milliseconds or any offset."""

    def __init__(self, **kwargs: Any) -> None:
        """A date-time field documented as such."""
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        """Write aware datetimes as UTC with a trailing Z."""
        if value is None:
            return None
        text: str = value.astimezone(UTC).isoformat(timespec="seconds")
        return text.replace("+00:00", "Z")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        """Accept RFC 3339 with an offset or Z; refuse times without a zone."""
        parsed: datetime = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            raise ValidationError("Give a time zone, for example '2026-01-31T09:30:00Z'.")
        return parsed.astimezone(UTC)
