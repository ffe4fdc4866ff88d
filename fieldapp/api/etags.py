"""ETags from record versions, and the If-Match rules for updates (428 missing, 412 stale)."""

from __future__ import annotations

from typing import Any

from flask import request

from fieldapp.errors import PreconditionFailed, PreconditionRequired

IF_MATCH_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The ETag (or quoted version) you last read. Stale: 412; missing: 428.",
    "schema": {"type": "string"},
}


def etag_for(version: int) -> str:
    """The strong ETag of a record version."""
    return f'"{version}"'


def expected_version() -> int:
    """The version the client claims to be changing, from ``If-Match``."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 18:
        raise PreconditionFailed()
    return int(value)
