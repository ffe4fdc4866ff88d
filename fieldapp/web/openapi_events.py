"""Events in the OpenAPI document as a union discriminated by ``type``, with typed details.

The API validates an event's ``details`` with the schema for its type (``DETAILS_BY_TYPE``);
the document says the same: ``Event`` and ``EventCreate`` are ``oneOf`` one schema per type
(``ArrestedEvent``: the common fields, ``type`` limited to ``arrested`` and ``details`` as
``NoDetails``), with a ``discriminator`` on ``type``. Only the description changes: what the
server accepts and sends is still decided by the marshmallow schemas.
"""

from __future__ import annotations

import copy
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from marshmallow import Schema

from fieldapp.schemas.events import (
    DETAILS_BY_TYPE,
    DETAILS_DOC,
    EventCreateSchema,
    EventSchema,
)

#: The event schemas described as a union, with the suffix of their variants' names.
EVENT_UNIONS: dict[type[Schema], str] = {EventSchema: "Event", EventCreateSchema: "EventCreate"}
TYPE = "type"
DETAILS = "details"


def variant_name(event_type: str, suffix: str) -> str:
    """The component name of one event type's variant: 'arrested' -> 'ArrestedEvent'."""
    return "".join(word.capitalize() for word in event_type.split("_")) + suffix


def _details_ref(converter: OpenAPIConverter, details: type[Schema]) -> dict[str, Any]:
    """A reference to a details schema's component, registered and described on first use."""
    ref: dict[str, Any] = converter.resolve_nested_schema(details)  # type: ignore[no-untyped-call]
    name = ref["$ref"].rsplit("/", 1)[-1]
    component = converter.spec.components.schemas[name]
    component.setdefault("description", (details.__doc__ or "").strip().splitlines()[0])
    return ref


def _variant(
    plain: dict[str, Any], event_type: str, details: dict[str, Any], needs_details: bool
) -> dict[str, Any]:
    """One type's schema: the common fields, the type fixed, the details typed."""
    variant = copy.deepcopy(plain)
    # A one-value list of its own, not EventType: a client that tries each variant in turn
    # (openapi-python-client) must fail on every type but the right one.
    variant["properties"][TYPE] = {"type": "string", "enum": [event_type]}
    variant["properties"][DETAILS] = details
    required = set(variant.get("required", ()))
    if needs_details:
        required.add(DETAILS)
    variant["required"] = sorted(required | {TYPE})
    variant["description"] = f"A {event_type} event."
    return variant


def event_union(
    spec: APISpec, converter: OpenAPIConverter, suffix: str, plain: dict[str, Any]
) -> dict[str, Any]:
    """The union schema, registering one variant per event type as a component."""
    mapping: dict[str, str] = {}
    for event_type, details in DETAILS_BY_TYPE.items():
        name = variant_name(event_type, suffix)
        needs = any(field.required for field in details().fields.values())
        variant = _variant(plain, event_type, _details_ref(converter, details), needs)
        if name not in spec.components.schemas:
            spec.components.schema(name, variant)
        mapping[event_type] = f"#/components/schemas/{name}"
    return {
        "description": "An investigation event; what its details hold depends on its type. "
        + DETAILS_DOC,
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": TYPE, "mapping": mapping},
    }
