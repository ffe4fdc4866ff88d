"""Request bodies: JSON only, bounded in size and depth, parsed once."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, current_app, g, request

from fieldapp.errors import JsonTooDeep, MalformedJson, UnsupportedMediaType

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
NO_BODY = object()


def nesting_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether parsed JSON nests deeper than ``limit`` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_json_body(raw: bytes, *, max_depth: int) -> Any:
    """Parse a JSON body, turning every failure into a clear 400."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except RecursionError as exc:
        raise JsonTooDeep() from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedJson() from exc
    if nesting_depth_exceeds(value, max_depth):
        raise JsonTooDeep(f"The request body is nested more than {max_depth} levels deep.")
    return value


def load_body() -> None:
    """Before each request with a body: insist on JSON and parse it once."""
    g.json_body = NO_BODY
    if request.method not in BODY_METHODS:
        return
    has_body = bool(request.content_length) or request.headers.get("Transfer-Encoding")
    if not has_body:
        return
    if not request.is_json:
        raise UnsupportedMediaType()
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    if raw:
        g.json_body = parse_json_body(raw, max_depth=current_app.config["JSON_MAX_DEPTH"])


def current_body() -> Any:
    """The parsed body of this request, or ``NO_BODY``."""
    return g.get("json_body", NO_BODY)


def init_app(app: Flask) -> None:
    """Parse bodies before access checks so that malformed requests fail fast."""
    app.before_request(load_body)
