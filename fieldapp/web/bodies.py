"""Request bodies: JSON only, bounded in size and depth, parsed once."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, current_app, g, request

from fieldapp.errors import (
    DuplicateKey,
    JsonTooDeep,
    MalformedJson,
    NonFiniteNumber,
    UnsupportedMediaType,
)
from fieldapp.web.surfaces import serves_console

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


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build a JSON object, refusing a key given twice (which value wins is not defined)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(
                f"The key {key!r} appears more than once in one object.",
                errors={key: ["This key appears more than once."]},
            )
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    """``NaN``, ``Infinity`` and ``-Infinity`` are Python's extension, not JSON."""
    raise NonFiniteNumber(f"{name} is not a JSON number; send a finite number.")


def _finite_float(text: str) -> float:
    """A JSON number as a float, refusing one too large to hold (``1e999`` is not infinity)."""
    number = float(text)
    if not math.isfinite(number):
        raise NonFiniteNumber(f"The number {text[:40]} is too large; send a finite number.")
    return number


def parse_json_body(raw: bytes, *, max_depth: int) -> Any:
    """Parse a JSON body, turning every failure into a clear 400.

    Refused here, as the parser's part: invalid UTF-8 or JSON, ``NaN``/``Infinity``, a key
    repeated in one object, and nesting past ``max_depth``. What a parsed body holds (NUL
    bytes, lone surrogates, out-of-range dates) is the schemas' part: 422 naming the field.
    """
    try:
        value = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
        )
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
    if request.method not in BODY_METHODS or serves_console():
        return  # the console's pages take HTML forms, parsed by their views
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
