"""Keyset-paged list responses: ``{"value": [...], "nextLink": "<absolute URL>"}``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from flask import request

from fieldapp.core.cursors import InvalidCursor, decode_cursor, encode_cursor
from fieldapp.errors import ValidationFailed
from fieldapp.schemas.base import EARLIEST, LATEST
from fieldapp.web.links import external_url

T = TypeVar("T")


def cursor_key(query: dict[str, Any], *, types: tuple[type, ...]) -> list[Any] | None:
    """The sort key the client's cursor points after, or None for the first page."""
    cursor = query.get("cursor")
    if not cursor:
        return None
    try:
        return decode_cursor(cursor, types=types)
    except InvalidCursor as exc:
        raise ValidationFailed(errors={"cursor": [str(exc)]}) from exc


def time_id_key(query: dict[str, Any]) -> tuple[datetime, uuid.UUID] | None:
    """The (timestamp, id) key a cursor points after, for lists ordered by time then id."""
    key = cursor_key(query, types=(str, str))
    if key is None:
        return None
    try:
        moment, row_id = datetime.fromisoformat(key[0]), uuid.UUID(key[1])
    except ValueError as exc:
        raise ValidationFailed(errors={"cursor": ["The cursor is not valid."]}) from exc
    # A cursor we made holds an aware time well inside the range any column can compare.
    if moment.tzinfo is None or not EARLIEST <= moment.date() <= LATEST:
        raise ValidationFailed(errors={"cursor": ["The cursor is not valid."]})
    return moment, row_id


def page(items: Sequence[T], *, limit: int, key: Callable[[T], list[Any]]) -> dict[str, Any]:
    """Wrap up to ``limit`` items; services fetch one extra to know if more follow."""
    body: dict[str, Any] = {"value": list(items[:limit])}
    if len(items) > limit:
        args = {name: value for name, value in request.args.items() if name != "cursor"}
        args["cursor"] = encode_cursor(key(items[limit - 1]))
        view_args = request.view_args or {}
        body["nextLink"] = external_url(str(request.endpoint), **view_args, **args)
    return body
