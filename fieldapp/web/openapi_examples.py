"""A whole-body example on every request body, composed from the fields' own examples.

Fields carry real examples in their marshmallow metadata (``"example": "42/123456/26"``); a
body without an example of its own (``@bp.arguments(..., example=...)``) gets one made of its
required fields and of the optional ones that have an example. A required text field with
nothing to show is an error when the document is built, so that no body is ever documented
with Swagger UI's ``"string"`` placeholder.
"""

from __future__ import annotations

from typing import Any

SCHEMA_REF = "#/components/schemas/"
#: Values for formats that say what a value looks like without a field example.
BY_FORMAT: dict[str, Any] = {
    "date-time": "2026-11-30T14:05:00Z",
    "date": "2026-12-14",
    "uuid": "6f1c8a52-3b1e-4a0e-9d5c-2f7b8e4a1c90",
    "email": "priya.shah@example.org",
}


class MissingExample(ValueError):
    """A required field of a request body has no example and nothing to make one from."""


def document_examples(paths: dict[str, dict[str, Any]], schemas: dict[str, dict[str, Any]]) -> None:
    """Give each JSON request body without an example one made from its fields, in place."""
    missing = []
    for item in paths.values():
        for method, operation in item.items():
            if method == "parameters":
                continue
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media is None or "example" in media:
                continue
            try:
                media["example"] = example_of(
                    media["schema"], schemas, where=operation["operationId"]
                )
            except MissingExample as error:
                missing.append(str(error))
    if missing:
        raise MissingExample("; ".join(missing))


def example_of(schema: dict[str, Any], schemas: dict[str, dict[str, Any]], *, where: str) -> Any:
    """An example value for a schema (references followed)."""
    if "example" in schema:
        return schema["example"]
    if "$ref" in schema:
        return example_of(_component(schema["$ref"], schemas), schemas, where=where)
    if "allOf" in schema:
        return example_of(schema["allOf"][0], schemas, where=where)
    if "oneOf" in schema:
        return example_of(schema["oneOf"][0], schemas, where=where)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        return _object_example(schema, schemas, where=where)
    if kind == "array":
        return [example_of(schema.get("items", {}), schemas, where=where)]
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if schema.get("format") in BY_FORMAT:
        return BY_FORMAT[schema["format"]]
    raise MissingExample(f"{where} has no example")


def _object_example(
    schema: dict[str, Any], schemas: dict[str, dict[str, Any]], *, where: str
) -> dict[str, Any]:
    """The required properties, and the optional ones that have an example of their own."""
    required = set(schema.get("required", ()))
    example: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        if name in required or _has_own_example(prop, schemas):
            example[name] = example_of(prop, schemas, where=f"{where}.{name}")
    return example


def _has_own_example(prop: dict[str, Any], schemas: dict[str, dict[str, Any]]) -> bool:
    """Whether a property (or the object it refers to) shows an example of its own.

    Dates and times all have one (``fieldapp.schemas.base``), so an optional one is left out:
    a body example should not opt a victim out or expire a key by the way.
    """
    if prop.get("format") in ("date", "date-time"):
        return False
    if "example" in prop:
        return True
    if "items" in prop:
        return _has_own_example(prop["items"], schemas)
    return False


def _component(ref: str, schemas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The component a reference names."""
    return schemas[ref.removeprefix(SCHEMA_REF)]
