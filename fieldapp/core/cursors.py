"""Opaque keyset cursors: the last key of a page, encoded for a URL."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from fieldapp.core.text import has_unstorable_text

#: No cursor we make comes near this; longer ones are refused before decoding.
MAX_CURSOR_LENGTH = 512


class InvalidCursor(ValueError):
    """A cursor that was not made by ``encode_cursor``."""


def encode_cursor(key: list[Any]) -> str:
    """Encode the last row's sort key as an opaque URL-safe string."""
    raw = json.dumps(key, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, *, types: tuple[type, ...]) -> list[Any]:
    """Decode a cursor back into a sort key whose parts have the expected types.

    Anything else (too long, not base64 or JSON, nested, of the wrong shape or types, or
    holding text no database can store) is an ``InvalidCursor``.
    """
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("The cursor is not valid.")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error, RecursionError) as exc:
        raise InvalidCursor("The cursor is not valid.") from exc
    if not isinstance(key, list) or len(key) != len(types):
        raise InvalidCursor("The cursor is not valid.")
    # bool is an int in Python; a cursor never holds one.
    if any(type(part) is not kind for part, kind in zip(key, types, strict=True)):
        raise InvalidCursor("The cursor is not valid.")
    if any(isinstance(part, str) and has_unstorable_text(part) for part in key):
        raise InvalidCursor("The cursor is not valid.")
    return key
