"""Down-convert pieces of an OpenAPI 3 document to Swagger 2.0, as Power Platform wants them.

Pure functions over plain dicts: schemas (``#/components/schemas`` refs become
``#/definitions``), parameters (their ``schema`` flattened), request bodies (a ``body``
parameter) and responses (one success, plus a ``default`` without schema). Every
parameter and property gets an ``x-ms-summary`` and a ``description``; constructs the
connector platform rejects (``oneOf``, ``anyOf``, ``not``, ``nullable``) are refused.

``flatten_document`` first rewrites what the OpenAPI 3 document says more precisely than a
connector can: a reference to a named enum component becomes the inline list again, and a
union discriminated by ``type`` (an event) becomes one flat object whose ``type`` lists every
value and whose ``details`` has every property any type's details have, all optional.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

COMPONENTS_PREFIX = "#/components/schemas/"
DEFINITIONS_PREFIX = "#/definitions/"
REJECTED_KEYWORDS = ("oneOf", "anyOf", "not")
#: Schema keywords copied as they are (Swagger 2.0 spells them the same).
PLAIN_KEYWORDS = (
    "type",
    "format",
    "title",
    "description",
    "default",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "required",
    "readOnly",
    "example",
)
#: Keywords a flattened (non-body) parameter may carry (Swagger 2.0 has no example there).
PARAMETER_KEYWORDS = tuple(
    k for k in PLAIN_KEYWORDS if k not in {"title", "required", "readOnly", "example"}
)
FORMATS = frozenset(
    {"int32", "int64", "float", "double", "byte", "binary", "date", "date-time", "password"}
    | {"date-no-tz", "email", "html", "uri", "uuid"}
)
ACRONYMS = {"id": "ID", "sms": "SMS", "url": "URL", "html": "HTML", "oic": "OIC", "uuid": "UUID"}
DATE_TIME_NOTE = (
    "A UTC date-time ending in Z, e.g. 2026-11-29T10:00:00Z; "
    "input may carry milliseconds (2026-11-29T10:00:00.123Z)."
)
SUCCESS_WITH_SCHEMA = ("200", "201")


class UnsupportedSchema(ValueError):
    """The OpenAPI 3 schema uses a construct Swagger 2.0 connectors cannot express."""


def title_case(name: str) -> str:
    """A display name from a field or header name: 'case_id' -> 'Case ID'."""
    words = [w for w in re.split(r"[_\-\s]+|(?<=[a-z])(?=[A-Z])", name) if w]
    return " ".join(ACRONYMS.get(w.lower(), w[:1].upper() + w[1:]) for w in words)


def describe(name: str, schema: Mapping[str, Any]) -> str:
    """A description sentence: the schema's own, or one made from the name, plus type notes."""
    text = str(schema.get("description") or "").strip()
    if not text:
        text = "The " + title_case(name).lower().replace(" id", " ID") + "."
    elif text[-1] not in ".!?":
        text += "."
    if schema.get("format") == "date-time" and "2026-11-29" not in text:
        text += " " + DATE_TIME_NOTE
    if "enum" in schema and "One of:" not in text:
        text += " One of: " + ", ".join(str(v) for v in schema["enum"]) + "."
    if "default" in schema and "Default:" not in text:
        text += f" Default: {schema['default']}."
    return text


def definition_ref(ref: str) -> str:
    """Point a components reference at the definitions section."""
    if not ref.startswith(COMPONENTS_PREFIX):
        raise UnsupportedSchema(f"only component schema references convert: {ref}")
    return DEFINITIONS_PREFIX + ref.removeprefix(COMPONENTS_PREFIX)


def convert_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A Swagger 2.0 schema object from an OpenAPI 3 one (recursively)."""
    for keyword in REJECTED_KEYWORDS:
        if keyword in schema:
            raise UnsupportedSchema(f"'{keyword}' cannot be expressed in a connector")
    if "$ref" in schema:
        return {"$ref": definition_ref(schema["$ref"])}  # no siblings beside a $ref
    all_of = schema.get("allOf")
    if all_of is not None:
        if len(all_of) != 1:
            raise UnsupportedSchema("only a single-entry allOf (a described $ref) converts")
        return convert_schema(all_of[0])
    result: dict[str, Any] = {k: schema[k] for k in PLAIN_KEYWORDS if k in schema}
    if "format" in result and result["format"] not in FORMATS:
        del result["format"]
    if "items" in schema:
        result["items"] = convert_schema(schema["items"])
    elif schema.get("type") == "array":
        result["items"] = {"type": "string"}
    if "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        result["additionalProperties"] = extra if isinstance(extra, bool) else convert_schema(extra)
    if "properties" in schema:
        result["properties"] = {
            name: convert_property(name, prop) for name, prop in schema["properties"].items()
        }
    return result


def convert_property(name: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """A property schema with its display name and description (none beside a $ref)."""
    converted = convert_schema(schema)
    if "$ref" in converted:
        return converted
    converted["x-ms-summary"] = title_case(name)
    converted["description"] = describe(name, schema)
    return converted


def convert_parameter(parameter: Mapping[str, Any]) -> dict[str, Any]:
    """A query, header or path parameter with its schema flattened into it."""
    schema = convert_schema(parameter.get("schema", {"type": "string"}))
    merged = {**schema, "description": parameter.get("description") or schema.get("description")}
    result: dict[str, Any] = {"name": parameter["name"], "in": parameter["in"]}
    result["required"] = bool(parameter.get("required")) or parameter["in"] == "path"
    result.update((k, schema[k]) for k in PARAMETER_KEYWORDS if k in schema)
    if schema.get("type") == "array":
        result["items"] = schema["items"]
        result["collectionFormat"] = "multi" if parameter["in"] == "query" else "csv"
    result["description"] = describe(parameter["name"], merged)
    result["x-ms-summary"] = title_case(parameter["name"])
    if parameter["in"] == "path":
        result["x-ms-url-encoding"] = "single"
    return result


def convert_request_body(body: Mapping[str, Any], *, summary: str) -> dict[str, Any]:
    """The JSON request body as Swagger 2.0's single ``body`` parameter."""
    schema = body["content"]["application/json"]["schema"]
    return {
        "name": "body",
        "in": "body",
        "required": bool(body.get("required")),
        "description": body.get("description") or f"What to send to {summary.lower()}.",
        "x-ms-summary": "Body",
        "schema": convert_schema(schema),
    }


def convert_responses(responses: Mapping[str, Any], *, default: str) -> dict[str, Any]:
    """The one success response (schema only on 200 or 201) and a schema-less ``default``."""
    success = sorted(code for code in responses if code.startswith("2"))
    if len(success) != 1:
        raise UnsupportedSchema(f"exactly one success response is needed, got {success}")
    code = success[0]
    source = responses[code]
    response: dict[str, Any] = {"description": source.get("description") or "Success."}
    content = source.get("content", {}).get("application/json")
    if code in SUCCESS_WITH_SCHEMA and content and "schema" in content:
        response["schema"] = convert_schema(content["schema"])
    return {code: response, "default": {"description": default}}


def flatten_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the document with unions flattened and named enums inline (connectors' way)."""
    schemas = dict(document.get("components", {}).get("schemas", {}))
    for name, schema in schemas.items():
        if "discriminator" in schema:
            schemas[name] = flatten_union(schema, schemas)
    document = {**document, "components": {**document["components"], "schemas": schemas}}
    enums = {COMPONENTS_PREFIX + name: s for name, s in schemas.items() if "enum" in s}

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, Mapping):
            return node
        target = _enum_ref(node, enums)
        if target is not None:
            siblings = {k: inline(v) for k, v in node.items() if k not in ("$ref", "allOf")}
            return {**enums[target], **siblings}
        return {key: inline(value) for key, value in node.items()}

    return inline(document)  # type: ignore[no-any-return]


def flatten_union(union: Mapping[str, Any], schemas: Mapping[str, Any]) -> dict[str, Any]:
    """One object for a discriminated union: every variant's properties, the tag's values."""
    tag = union["discriminator"]["propertyName"]
    variants = [_component(part["$ref"], schemas) for part in union["oneOf"]]
    properties: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for variant in variants:
        for name, prop in variant.get("properties", {}).items():
            if "$ref" in prop:  # a variant's own part (its details): merged, all optional
                part = _component(prop["$ref"], schemas)
                for inner, inner_prop in part.get("properties", {}).items():
                    _merge_property(nested.setdefault(name, {}), inner, inner_prop)
            else:
                _merge_property(properties, name, prop)
    properties[tag] = {
        "type": "string",
        "enum": list(union["discriminator"]["mapping"]),
        "description": f"The {tag}; it decides which other fields apply.",
    }
    for name, inner in nested.items():
        properties[name] = {
            "type": "object",
            "description": f"The {name}: which of these apply depends on the {tag}.",
            "properties": inner,
        }
    required = set.intersection(*(set(v.get("required", ())) for v in variants))
    flat: dict[str, Any] = {"type": "object", "properties": properties}
    if union.get("description"):
        flat["description"] = union["description"]
    if required:
        flat["required"] = sorted(required)
    return flat


def _component(ref: str, schemas: Mapping[str, Any]) -> Mapping[str, Any]:
    """The component schema a reference names."""
    return schemas[ref.removeprefix(COMPONENTS_PREFIX)]  # type: ignore[no-any-return]


def _merge_property(properties: dict[str, Any], name: str, prop: Mapping[str, Any]) -> None:
    """Add a property; the same name from another variant widens its closed list."""
    known = properties.get(name)
    if known is None:
        properties[name] = copy.deepcopy(dict(prop))
        return
    if "items" in known and "items" in prop:
        _merge_property(known, "items", prop["items"])
        known.pop("minItems", None)  # the loosest bound of them all: none
    if "enum" in known and "enum" in prop:
        known["enum"] = [*known["enum"], *(v for v in prop["enum"] if v not in known["enum"])]
        if known.get("description") != prop.get("description"):
            known.pop("description", None)  # each variant's own words no longer fit the union


def _enum_ref(node: Mapping[str, Any], enums: Mapping[str, Any]) -> str | None:
    """The enum component a schema refers to, bare or through a one-entry allOf."""
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
        node = all_of[0]
    ref = node.get("$ref")
    return ref if isinstance(ref, str) and ref in enums else None


def schema_refs(node: Any) -> set[str]:
    """The definition names a converted fragment refers to, directly."""
    found: set[str] = set()
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(DEFINITIONS_PREFIX):
            found.add(ref.removeprefix(DEFINITIONS_PREFIX))
        for value in node.values():
            found |= schema_refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= schema_refs(value)
    return found


def convert_definitions(
    components: Mapping[str, Mapping[str, Any]], roots: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """The converted component schemas reachable from ``roots``, in name order."""
    pending, done = sorted(set(roots)), {}
    while pending:
        name = pending.pop()
        if name in done:
            continue
        done[name] = convert_schema(components[name])
        pending.extend(sorted(schema_refs(done[name]) - done.keys()))
    return {name: done[name] for name in sorted(done)}
