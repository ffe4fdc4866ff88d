"""The base schema and field types every API schema uses.

Input no database can store is refused here, once, for every body and query string:
NUL bytes and lone surrogates in any string (``ApiSchema``), and dates or times outside
``EARLIEST``..``LATEST`` (``UtcDateTime``, ``ApiDate``), which would otherwise overflow when
converted to UTC or moved by the Victims' Code deadline arithmetic. Each is a 422 naming the
field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_dump, pre_load, validate

from fieldapp.core.text import UNSTORABLE_TEXT_MESSAGE, unstorable_paths
from fieldapp.schemas.descriptions import field_description

#: The accepted range of dates and times: wide enough for any real case, far from overflow.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
#: The examples the OpenAPI document shows for a time and a date without one of their own.
EXAMPLE_TIME = "2026-11-30T14:05:00Z"
EXAMPLE_DATE = "2026-12-14"
RANGE_MESSAGE = f"Give a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}."


class DescribedSchema(Schema):
    """A schema whose fields without a description of their own take the shared one for their
    name (``fieldapp.schemas.descriptions``), so the OpenAPI document and the connector say what
    every field means."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        """Describe the field from the shared texts when it has no description of its own."""
        if not field_obj.metadata.get("description"):
            name = field_obj.data_key or field_name
            text = field_description(type(self).__mro__, name)
            if text is not None:
                field_obj.metadata = {**field_obj.metadata, "description": text}


class ApiSchema(DescribedSchema):
    """Refuses unknown fields (marshmallow's default) and omits empty values from output."""

    @pre_load
    def refuse_unstorable_text(self, data: Any, **_kwargs: Any) -> Any:
        """A 422 naming every field (at any depth) whose text holds a NUL or a lone surrogate."""
        value = data
        if isinstance(data, Mapping) and hasattr(data, "getlist"):  # a query string
            value = {key: data.getlist(key) for key in data}
        paths = unstorable_paths(value)
        if paths:
            raise ValidationError({path: [UNSTORABLE_TEXT_MESSAGE] for path in paths})
        return data

    @post_dump
    def drop_none(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """Leave out absent values rather than send null: low-code clients prefer a stable type."""
        return {key: value for key, value in data.items() if value is not None}


class UtcDateTime(fields.DateTime):
    """RFC 3339 in UTC with ``Z``; input may carry milliseconds or any offset."""

    def __init__(self, **kwargs: Any) -> None:
        """A date-time field documented as such, with an example unless the field gives one."""
        metadata = {"example": EXAMPLE_TIME, **(kwargs.pop("metadata", None) or {})}
        super().__init__(format="iso", metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        """Write aware datetimes as UTC with a trailing Z."""
        if value is None:
            return None
        text: str = value.astimezone(UTC).isoformat(timespec="seconds")
        return text.replace("+00:00", "Z")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        """Accept RFC 3339 with an offset or Z within the accepted range; refuse naive times."""
        parsed: datetime = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            raise ValidationError("Give a time zone, for example '2026-01-31T09:30:00Z'.")
        # Checked before converting: year 1 at +01:00 or year 9999 at -01:00 would overflow.
        if not EARLIEST <= parsed.date() <= LATEST:
            raise ValidationError(RANGE_MESSAGE)
        return parsed.astimezone(UTC)


class ApiDate(fields.Date):
    """A ``YYYY-MM-DD`` date within the accepted range."""

    def __init__(self, **kwargs: Any) -> None:
        """A date field, with an example in the document unless the field gives one."""
        metadata = {"example": EXAMPLE_DATE, **(kwargs.pop("metadata", None) or {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        """Parse the date and refuse one outside the accepted range."""
        parsed: date = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST <= parsed <= LATEST:
            raise ValidationError(RANGE_MESSAGE)
        return parsed


class TrimmedLength(validate.Length):
    """A length the text must have once its surrounding spaces are removed, as it is stored.

    Python's ``str.strip`` also removes the separator characters U+001C to U+001F, so a name of
    only those would otherwise pass ``Length(min=1)`` and be stored empty.
    """

    def __call__(self, value: Any) -> Any:
        """Check the trimmed text; the value itself passes on unchanged."""
        super().__call__(value.strip() if isinstance(value, str) else value)
        return value
